import { InvalidArgumentError, NotFoundError } from '@strata/service-runtime';
import { aCaller, aModel, silentLogger } from '../../test/fixtures/registry-factories';
import type { AuditRecord } from '../audit-log/audit-entry';
import type { Model, ModelFilter, NewModel } from './model';
import type { ModelRepository } from './model.repository';
import { ModelService } from './model.service';

/** ModelRepository in memory: models by name, and the audit records it was asked to append. */
class FakeModelRepository {
  readonly models = new Map<string, Model>();
  readonly audit: AuditRecord[] = [];

  async findByName(name: string): Promise<Model | undefined> {
    return this.models.get(name);
  }

  async findKeyByName(name: string): Promise<{ id: string; name: string } | undefined> {
    const model = this.models.get(name);
    return model === undefined ? undefined : { id: model.id, name: model.name };
  }

  async createIfAbsent(input: NewModel, auditOf: (model: Model) => AuditRecord): Promise<{ model: Model; created: boolean }> {
    const existing = this.models.get(input.name);
    if (existing !== undefined) return { model: existing, created: false };
    const model = aModel({ ...input, id: `id-${input.name}` });
    this.models.set(input.name, model);
    this.audit.push(auditOf(model));
    return { model, created: true };
  }

  async list(filter: ModelFilter, afterName: string | undefined, limit: number): Promise<Model[]> {
    return [...this.models.values()]
      .filter((model) => afterName === undefined || model.name > afterName)
      .filter((model) => filter.owner === undefined || model.owner === filter.owner)
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, limit);
  }
}

const aNewModel = (overrides: Partial<NewModel> = {}): NewModel => ({ name: 'flights-delay', description: 'delays', owner: 'ml-team', tags: {}, ...overrides });

describe(ModelService.name, () => {
  let repository: FakeModelRepository;
  let service: ModelService;

  beforeEach(() => {
    repository = new FakeModelRepository();
    service = new ModelService(repository as unknown as ModelRepository, silentLogger);
  });

  it('creates a model and audits it as model_created by the caller', async () => {
    const { model, created } = await service.create(aNewModel(), aCaller('ci', 'trainer'));

    expect(created).toBe(true);
    expect(model.name).toBe('flights-delay');
    expect(repository.audit).toEqual([expect.objectContaining({ action: 'model_created', modelName: 'flights-delay', caller: { subject: 'trainer', role: 'ci' } })]);
  });

  it('returns the existing model unchanged with created=false when the name is taken', async () => {
    await service.create(aNewModel({ description: 'first' }), aCaller());

    const { model, created } = await service.create(aNewModel({ description: 'second' }), aCaller());

    expect(created).toBe(false);
    expect(model.description).toBe('first');
    expect(repository.audit).toHaveLength(1);
  });

  it.each(['', 'Flights', '-leading-dash', 'has space', 'dots.not.allowed', 'x'.repeat(64)])('refuses the model name "%s" with a field violation', async (name) => {
    const attempt = service.create(aNewModel({ name }), aCaller());

    await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(attempt).rejects.toMatchObject({ fieldViolations: [expect.objectContaining({ field: 'name' })] });
  });

  it('names the field, the rule and the value in the message when the name is bad', async () => {
    const attempt = service.create(aNewModel({ name: 'Bad Name' }), aCaller());

    await expect(attempt).rejects.toThrow('invalid CreateModel request: name: must match ^[a-z0-9][a-z0-9_-]{0,62}$ (1-63 lowercase letters, digits, "-" and "_", starting with a letter or digit), got "Bad Name"');
  });

  it('accepts names of digits, dashes and underscores up to 63 characters', async () => {
    for (const name of ['0', 'churn_v2', 'a'.repeat(63)]) {
      expect((await service.create(aNewModel({ name }), aCaller())).created).toBe(true);
    }
  });

  it('refuses empty tag keys', async () => {
    await expect(service.create(aNewModel({ tags: { '': 'x' } }), aCaller())).rejects.toMatchObject({ fieldViolations: [{ field: 'tags', description: expect.any(String) }] });
  });

  it('answers NOT_FOUND for an unknown model and INVALID_ARGUMENT for an empty name', async () => {
    await expect(service.get('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.get('')).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('resolves a model name to its identity for other domains, naming the request field when it is empty', async () => {
    await service.create(aNewModel(), aCaller());

    expect(await service.require('flights-delay')).toEqual({ id: 'id-flights-delay', name: 'flights-delay' });
    await expect(service.require('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.require('', 'header.model_name')).rejects.toMatchObject({ fieldViolations: [{ field: 'header.model_name', description: 'required' }] });
  });

  it('pages through models in name order with a token that only works for the same filter', async () => {
    for (const name of ['c', 'a', 'e', 'b', 'd']) await service.create(aNewModel({ name }), aCaller());

    const first = await service.list({}, { pageSize: 2, pageToken: '' });
    const second = await service.list({}, { pageSize: 2, pageToken: first.nextPageToken });
    const last = await service.list({}, { pageSize: 2, pageToken: second.nextPageToken });

    expect([first, second, last].map((page) => page.items.map((model) => model.name))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(last.nextPageToken).toBe('');
    await expect(service.list({ owner: 'someone-else' }, { pageSize: 2, pageToken: first.nextPageToken })).rejects.toMatchObject({
      fieldViolations: [{ field: 'page.page_token', description: expect.stringContaining('different filters') }],
    });
    await expect(service.list({}, { pageSize: 2, pageToken: 'garbage' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(service.list({}, { pageSize: -1, pageToken: '' })).rejects.toMatchObject({ fieldViolations: [{ field: 'page.page_size', description: expect.any(String) }] });
  });

  it('uses 50 as the default page size', async () => {
    for (let index = 0; index < 51; index += 1) await service.create(aNewModel({ name: `m${String(index).padStart(2, '0')}` }), aCaller());

    const page = await service.list({}, { pageSize: 0, pageToken: '' });

    expect(page.items).toHaveLength(50);
    expect(page.nextPageToken).not.toBe('');
  });
});
