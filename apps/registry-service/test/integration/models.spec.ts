import { status } from '@grpc/grpc-js';
import type { TestEngine } from '@strata/testing';
import { aLinearOnnxModel } from '../fixtures/onnx-models';
import { failureOf } from '../fixtures/registry-client';
import { pointAlias, startTestRegistry, type TestRegistry } from '../fixtures/registry-harness';

// CreateModel, GetModel and ListModels over a real gRPC socket, on PGlite and on PostgreSQL.
describe.each<TestEngine>(['pglite', 'postgres'])('registry models on %s', (engine) => {
  let registry: TestRegistry;

  beforeAll(async () => {
    registry = await startTestRegistry(engine);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('creates a model once: the same name again returns it unchanged with created=false', async () => {
    const first = await registry.ci.createModel({ name: 'flights-delay', description: 'departure delays', owner: 'ml-team', tags: { team: 'ops' } });
    const again = await registry.admin.createModel({ name: 'flights-delay', description: 'something else', owner: 'other' });

    expect(first.created).toBe(true);
    expect(first.model).toMatchObject({ name: 'flights-delay', description: 'departure delays', owner: 'ml-team', tags: { team: 'ops' }, latestVersion: 0, aliases: {} });
    expect(Number(first.model?.createdAt?.seconds)).toBeGreaterThan(0);
    expect(again).toEqual({ ...first, created: false });
  });

  it('audits the creation with the token subject as actor, once', async () => {
    await registry.ci.createModel({ name: 'audited-model' });
    await registry.ci.createModel({ name: 'audited-model' });

    const entries = await registry.prisma.auditLogEntry.findMany({ where: { modelName: 'audited-model' } });
    expect(entries).toEqual([expect.objectContaining({ action: 'model_created', actor: 'ci-bot', role: 'ci' })]);
  });

  it('refuses a bad model name with INVALID_ARGUMENT whose message names the field and the rule', async () => {
    const failure = await failureOf(registry.ci.createModel({ name: 'Not A Name' }));

    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.details).toBe('invalid CreateModel request: name: must match ^[a-z0-9][a-z0-9_-]{0,62}$ (1-63 lowercase letters, digits, "-" and "_", starting with a letter or digit), got "Not A Name"');
    expect(failure.fieldViolations).toEqual([{ field: 'name', description: expect.stringContaining('got "Not A Name"') }]);
  });

  it('lists every bad field of CreateModel in the status message, not only in the details', async () => {
    const failure = await failureOf(registry.ci.createModel({ name: '-x', tags: { ' ': 'blank' } }));

    expect(failure.details).toMatch(/^invalid CreateModel request: name: must match .*, got "-x"; tags: tag keys must not be empty$/);
    expect(failure.fieldViolations.map((violation) => violation.field)).toEqual(['name', 'tags']);
  });

  it('returns a model with its latest version and aliases, and NOT_FOUND for an unknown one', async () => {
    await registry.ci.createModel({ name: 'churn' });
    await registry.ci.registerVersion('churn', aLinearOnnxModel(1));
    await registry.ci.registerVersion('churn', aLinearOnnxModel(2));
    await pointAlias(registry, 'churn', 'production', 1);

    const { model } = await registry.anonymous.getModel('churn');

    expect(model).toMatchObject({ name: 'churn', latestVersion: 2, aliases: { production: 1 } });
    expect((await failureOf(registry.anonymous.getModel('no-such-model'))).code).toBe(status.NOT_FOUND);
  });

  it('lists models by name, one page at a time, filtered by tag and owner', async () => {
    for (const [name, owner, tags] of [
      ['list-c', 'alice', { tier: 'gold' }],
      ['list-a', 'alice', { tier: 'silver' }],
      ['list-b', 'bob', { tier: 'gold' }],
      ['list-d', 'alice', {}],
    ] as const) {
      await registry.ci.createModel({ name, owner, tags });
    }
    const names = (response: { models: { name: string }[] }) => response.models.map((model) => model.name).filter((name) => name.startsWith('list-'));

    const first = await registry.anonymous.listModels({ owner: 'alice', page: { pageSize: 2, pageToken: '' } });
    const second = await registry.anonymous.listModels({ owner: 'alice', page: { pageSize: 2, pageToken: first.page!.nextPageToken } });

    expect([names(first), names(second)]).toEqual([['list-a', 'list-c'], ['list-d']]);
    expect(second.page?.nextPageToken).toBe('');
    expect(names(await registry.anonymous.listModels({ tag: 'tier=gold' }))).toEqual(['list-b', 'list-c']);
    expect(names(await registry.anonymous.listModels({ tag: 'tier' }))).toEqual(['list-a', 'list-b', 'list-c']);
    expect(names(await registry.anonymous.listModels({ tag: 'tier', owner: 'bob' }))).toEqual(['list-b']);
  });

  it('refuses a page token used with other filters, and a negative page size', async () => {
    const first = await registry.anonymous.listModels({ page: { pageSize: 1, pageToken: '' } });

    const reused = await failureOf(registry.anonymous.listModels({ owner: 'bob', page: { pageSize: 1, pageToken: first.page!.nextPageToken } }));
    const negative = await failureOf(registry.anonymous.listModels({ page: { pageSize: -1, pageToken: '' } }));

    expect(reused).toMatchObject({ code: status.INVALID_ARGUMENT, fieldViolations: [expect.objectContaining({ field: 'page.page_token' })] });
    expect(negative).toMatchObject({ code: status.INVALID_ARGUMENT, fieldViolations: [expect.objectContaining({ field: 'page.page_size' })] });
  });

  it('answers UNAUTHENTICATED to CreateModel without a token or with an unknown one', async () => {
    expect((await failureOf(registry.anonymous.createModel({ name: 'sneaky' }))).code).toBe(status.UNAUTHENTICATED);
    expect((await failureOf(registry.anonymous.as('not-a-known-token').createModel({ name: 'sneaky' }))).code).toBe(status.UNAUTHENTICATED);
    expect((await failureOf(registry.anonymous.getModel('sneaky'))).code).toBe(status.NOT_FOUND);
  });
});
