import { FailedPreconditionError, NotFoundError } from '@strata/service-runtime';
import pino from 'pino';
import type { Source, SourceSpec } from './source';
import type { SourceRepository } from './source.repository';
import { SourceService } from './source.service';
import type { SourceSpecDraft } from './source-spec';

/** SourceRepository in memory; `raceOnce` makes the next insert lose to a concurrent apply that created `raceOnce`. */
class FakeSourceRepository {
  readonly rows: Source[] = [];
  raceOnce: Source | undefined;

  async find(name: string, version: number): Promise<Source | undefined> {
    const versions = this.rows.filter((row) => row.spec.name === name);
    return version === 0 ? versions.at(-1) : versions.find((row) => row.version === version);
  }

  async insertVersion(spec: SourceSpec, version: number, digest: string): Promise<Source | undefined> {
    if (this.raceOnce !== undefined) {
      this.rows.push({ ...this.raceOnce, version });
      this.raceOnce = undefined;
      return undefined;
    }
    if (this.rows.some((row) => row.spec.name === spec.name && row.version === version)) return undefined;
    const row = this.row(spec, version, digest);
    this.rows.push(row);
    return row;
  }

  private row(spec: SourceSpec, version: number, digest: string): Source {
    return { id: `${spec.name}-${version}`, version, digest, spec, createdAt: new Date('2026-11-28T00:00:00Z') };
  }
}

const aDraft = (overrides: Partial<SourceSpecDraft> = {}): SourceSpecDraft => ({
  name: 'payments',
  entityKeyFields: ['user_id'],
  eventTimeField: 'ts',
  fields: [
    { name: 'user_id', type: 'STRING', nullable: false, allowedValues: [], description: '' },
    { name: 'ts', type: 'TIMESTAMP', nullable: false, allowedValues: [], description: '' },
  ],
  description: '',
  owner: '',
  tags: {},
  ...overrides,
});

describe(SourceService.name, () => {
  let repository: FakeSourceRepository;
  let service: SourceService;

  beforeEach(() => {
    repository = new FakeSourceRepository();
    service = new SourceService(repository as unknown as SourceRepository, pino({ level: 'silent' }));
  });

  it('returns the version a concurrent apply of the same spec created, with changed=false', async () => {
    const { source: prepared } = await new SourceService(new FakeSourceRepository() as unknown as SourceRepository, pino({ level: 'silent' })).apply(aDraft());
    repository.raceOnce = prepared;

    const result = await service.apply(aDraft());

    expect(result).toEqual({ source: expect.objectContaining({ version: 1, digest: prepared.digest }), changed: false });
    expect(repository.rows).toHaveLength(1);
  });

  it('re-checks compatibility against the version a concurrent apply created', async () => {
    const { source: winner } = await new SourceService(new FakeSourceRepository() as unknown as SourceRepository, pino({ level: 'silent' })).apply(
      aDraft({ fields: [...aDraft().fields, { name: 'amount', type: 'DOUBLE', nullable: true, allowedValues: [], description: '' }] }),
    );
    repository.raceOnce = winner;

    const attempt = service.apply(aDraft({ fields: [...aDraft().fields, { name: 'amount', type: 'STRING', nullable: true, allowedValues: [], description: '' }] }));

    await expect(attempt).rejects.toBeInstanceOf(FailedPreconditionError);
  });

  it('answers NOT_FOUND naming the source, and the version when one was asked for', async () => {
    await expect(service.get('nope', 0)).rejects.toThrow(new NotFoundError('source "nope" not found (apply it with ApplySource first)'));
    await service.apply(aDraft());
    await expect(service.get('payments', 4)).rejects.toThrow('source "payments" has no version 4');
    expect((await service.latest('payments')).version).toBe(1);
  });
});
