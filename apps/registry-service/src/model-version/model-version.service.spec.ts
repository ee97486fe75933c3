import { FailedPreconditionError, InvalidArgumentError, NotFoundError, OutOfRangeError } from '@strata/service-runtime';
import { createHash } from 'node:crypto';
import { InMemoryArtifactStore } from '../../test/fixtures/in-memory-artifact-store';
import { aCaller, aModel, aModelVersion, silentLogger } from '../../test/fixtures/registry-factories';
import type { AuditRecord } from '../audit-log/audit-entry';
import type { ModelKey } from '../model/model';
import type { ModelService } from '../model/model.service';
import type { ModelVersion, VersionStatus } from './model-version';
import type { ModelVersionRepository, StatusDecision } from './model-version.repository';
import { DOWNLOAD_CHUNK_BYTES, ModelVersionService, nextStatus } from './model-version.service';

const MODEL = aModel();

/** ModelVersionRepository in memory, with the aliases table as a map alias -> version. */
class FakeVersionRepository {
  versions: ModelVersion[] = [];
  readonly aliases = new Map<string, number>();
  readonly audit: AuditRecord[] = [];
  revision = 41n;

  async findByNumber(_model: ModelKey, version: number): Promise<ModelVersion | undefined> {
    return this.versions.find((candidate) => candidate.version === version);
  }

  async findByAlias(model: ModelKey, alias: string): Promise<ModelVersion | undefined> {
    const target = this.aliases.get(alias);
    return target === undefined ? undefined : this.findByNumber(model, target);
  }

  async findLatest(): Promise<ModelVersion | undefined> {
    return [...this.versions].sort((a, b) => b.version - a.version)[0];
  }

  async changeStatus(
    model: ModelKey,
    version: number,
    change: { decide: StatusDecision; auditOf: (before: ModelVersion, after: ModelVersion, revision: bigint) => AuditRecord },
  ): Promise<{ version: ModelVersion; revision: bigint }> {
    const current = await this.findByNumber(model, version);
    if (current === undefined) throw new NotFoundError('no version');
    const status = change.decide(current);
    if (status === undefined) return { version: current, revision: 0n };
    const updated = { ...current, status };
    this.versions = this.versions.map((candidate) => (candidate.version === version ? updated : candidate));
    this.revision += 1n;
    this.audit.push(change.auditOf(current, updated, this.revision));
    return { version: updated, revision: this.revision };
  }
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  expect(parts.every((part) => part.byteLength <= DOWNLOAD_CHUNK_BYTES)).toBe(true);
  return Buffer.concat(parts);
}

describe(ModelVersionService.name, () => {
  const artifactBytes = Buffer.alloc(DOWNLOAD_CHUNK_BYTES + 10, 7);
  const sha256 = createHash('sha256').update(artifactBytes).digest('hex');
  let repository: FakeVersionRepository;
  let artifacts: InMemoryArtifactStore;
  let service: ModelVersionService;

  beforeEach(async () => {
    repository = new FakeVersionRepository();
    artifacts = new InMemoryArtifactStore();
    await artifacts.put(artifactBytes);
    repository.versions = [1, 2, 3].map((version) => aModelVersion({ version, artifact: { format: 'onnx', sha256, sizeBytes: artifactBytes.byteLength } }));
    repository.aliases.set('production', 2);
    const models = {
      require: async (name: string) => {
        if (name !== MODEL.name) throw new NotFoundError(`model "${name}" not found`);
        return MODEL;
      },
    } as unknown as ModelService;
    service = new ModelVersionService(models, repository as unknown as ModelVersionRepository, artifacts, silentLogger);
  });

  describe('get', () => {
    it('finds a version by number, by alias, and the newest one through "latest"', async () => {
      expect((await service.get({ modelName: MODEL.name, version: 1 })).version).toBe(1);
      expect((await service.get({ modelName: MODEL.name, alias: 'production' })).version).toBe(2);
      expect((await service.get({ modelName: MODEL.name, alias: 'latest' })).version).toBe(3);
    });

    it('answers NOT_FOUND for an unknown version or alias and INVALID_ARGUMENT without a selector', async () => {
      await expect(service.get({ modelName: MODEL.name, version: 9 })).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.get({ modelName: MODEL.name, alias: 'canary' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.get({ modelName: MODEL.name })).rejects.toMatchObject({ fieldViolations: [{ field: 'model.selector', description: expect.any(String) }] });
      await expect(service.get({ modelName: MODEL.name, version: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });

  describe('download', () => {
    it('streams the artifact in chunks of at most 1 MiB, from an offset', async () => {
      const whole = await service.download({ modelName: MODEL.name, version: 1 }, 0);
      const tail = await service.download({ modelName: MODEL.name, version: 1 }, DOWNLOAD_CHUNK_BYTES);

      // Buffer#equals: Jest's deep equality walks a MiB byte by byte.
      expect((await collect(whole.chunks)).equals(artifactBytes)).toBe(true);
      expect((await collect(tail.chunks)).equals(artifactBytes.subarray(DOWNLOAD_CHUNK_BYTES))).toBe(true);
      expect(tail.offset).toBe(DOWNLOAD_CHUNK_BYTES);
    });

    it('sends no bytes from an offset equal to the size, and OUT_OF_RANGE past it', async () => {
      expect((await collect((await service.download({ modelName: MODEL.name, version: 1 }, artifactBytes.byteLength)).chunks)).byteLength).toBe(0);
      await expect(service.download({ modelName: MODEL.name, version: 1 }, artifactBytes.byteLength + 1)).rejects.toBeInstanceOf(OutOfRangeError);
      await expect(service.download({ modelName: MODEL.name, version: 1 }, -1)).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it('refuses an ARCHIVED version with FAILED_PRECONDITION', async () => {
      repository.versions[0] = aModelVersion({ version: 1, status: 'archived' });

      await expect(service.download({ modelName: MODEL.name, version: 1 }, 0)).rejects.toMatchObject({ violations: [{ type: 'VERSION_STATUS', subject: 'flights-delay:1', description: expect.any(String) }] });
    });
  });

  describe('setStatus', () => {
    it('deprecates a version with a revision, audited with before and after', async () => {
      const { version, revision } = await service.setStatus(MODEL.name, 1, 'deprecated', 'superseded by v3', aCaller('admin'));

      expect(version.status).toBe('deprecated');
      expect(revision).toBe(42n);
      expect(repository.audit).toEqual([
        expect.objectContaining({ action: 'version_status_changed', version: 1, reason: 'superseded by v3', before: { status: 'active' }, after: { status: 'deprecated' }, revision: 42n }),
      ]);
    });

    it('changes nothing and reports revision 0 when the status is already the requested one', async () => {
      expect((await service.setStatus(MODEL.name, 1, 'active', 'no-op', aCaller('admin'))).revision).toBe(0n);
      expect(repository.audit).toEqual([]);
    });

    it('requires a status and a reason', async () => {
      await expect(service.setStatus(MODEL.name, 1, undefined, 'why', aCaller('admin'))).rejects.toMatchObject({ fieldViolations: [{ field: 'status', description: expect.any(String) }] });
      await expect(service.setStatus(MODEL.name, 1, 'deprecated', ' ', aCaller('admin'))).rejects.toMatchObject({ fieldViolations: [{ field: 'reason', description: expect.any(String) }] });
    });
  });

  describe(nextStatus.name, () => {
    it.each<[VersionStatus, VersionStatus, VersionStatus | undefined]>([
      ['active', 'deprecated', 'deprecated'],
      ['deprecated', 'active', 'active'],
      ['active', 'archived', 'archived'],
      ['deprecated', 'archived', 'archived'],
      ['archived', 'archived', undefined],
    ])('moves %s to %s', (from, to, expected) => {
      expect(nextStatus(aModelVersion({ status: from }), to)).toBe(expected);
    });

    it.each<VersionStatus>(['active', 'deprecated'])('never leaves ARCHIVED (to %s)', (to) => {
      expect(() => nextStatus(aModelVersion({ status: 'archived' }), to)).toThrow(FailedPreconditionError);
    });

    it('refuses to archive a version aliases point at, naming each alias', () => {
      const archiving = () => nextStatus(aModelVersion({ aliases: ['canary', 'production'] }), 'archived');

      expect(archiving).toThrow(FailedPreconditionError);
      expect(archiving).toThrow(expect.objectContaining({ violations: [expect.objectContaining({ subject: 'canary' }), expect.objectContaining({ subject: 'production' })] }));
    });
  });
});
