import { status } from '@grpc/grpc-js';
import { commonV1 } from '@strata/contracts';
import { failureOf } from '@strata/testing';
import { ENGINES, startTestFeatureService, type TestFeatureService } from '../fixtures/feature-harness';
import { aField, aSourceSpec } from '../fixtures/source-specs';

const { VALUE_TYPE_BOOL, VALUE_TYPE_DOUBLE, VALUE_TYPE_INT64, VALUE_TYPE_STRING, VALUE_TYPE_TIMESTAMP, VALUE_TYPE_UNSPECIFIED } = commonV1.ValueType;

// ApplySource, GetSource and ListSources over a real gRPC socket, on PGlite and on PostgreSQL.
describe.each(ENGINES)('sources on %s', (engine) => {
  let feature: TestFeatureService;

  beforeAll(async () => {
    feature = await startTestFeatureService(engine);
  });

  afterAll(async () => {
    await feature?.stop();
  });

  it('applies a new source as version 1 with a content digest, and returns it from GetSource', async () => {
    const applied = await feature.client.call('applySource', { spec: aSourceSpec({ name: 'new_source' }) });

    expect(applied.changed).toBe(true);
    expect(applied.source).toMatchObject({ version: 1, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(applied.source?.spec).toMatchObject({ name: 'new_source', entityKeyFields: ['user_id'], eventTimeField: 'ts', owner: 'risk-team', tags: { domain: 'payments', tier: 'gold' } });
    expect(applied.source?.spec?.fields.map((field) => [field.name, field.type])).toEqual([
      ['user_id', 'VALUE_TYPE_STRING'],
      ['ts', 'VALUE_TYPE_TIMESTAMP'],
      ['amount', 'VALUE_TYPE_DOUBLE'],
      ['country', 'VALUE_TYPE_STRING'],
      ['attempts', 'VALUE_TYPE_INT64'],
      ['approved', 'VALUE_TYPE_BOOL'],
    ]);
    expect(applied.source?.spec?.fields[2]).toMatchObject({ min: 0, max: 100000 });
    expect(applied.source?.spec?.fields[3]).toMatchObject({ allowedValues: ['DE', 'FR', 'US'], maxLength: 2, nullable: true });
    expect(applied.source?.latestEventTime).toBeNull();

    const { source } = await feature.client.call('getSource', { name: 'new_source', version: 1 });
    expect(source).toEqual(applied.source);
    expect((await feature.client.call('getSource', { name: 'new_source' })).source).toEqual(applied.source);
  });

  it('is idempotent: the same spec again (tags in another order) returns the same version with changed=false', async () => {
    const first = await feature.client.call('applySource', { spec: aSourceSpec({ name: 'idempotent', tags: { a: '1', b: '2' } }) });
    const again = await feature.client.call('applySource', { spec: aSourceSpec({ name: 'idempotent', tags: { b: '2', a: '1' } }) });

    expect(again).toEqual({ ...first, changed: false });
  });

  it('creates version N+1 for a compatible change (new field, constraint, description) and keeps the old version readable', async () => {
    const v1 = await feature.client.call('applySource', { spec: aSourceSpec({ name: 'evolving' }) });
    const base = aSourceSpec({ name: 'evolving' });
    const v2 = await feature.client.call('applySource', {
      spec: { ...base, description: 'now with merchants', fields: [...base.fields, aField({ name: 'merchant', nullable: true })] },
    });
    const v3 = await feature.client.call('applySource', { spec: { ...base, fields: base.fields.map((field) => (field.name === 'amount' ? { ...field, max: 500 } : field)) } });

    expect([v1.source?.version, v2.source?.version, v3.source?.version]).toEqual([1, 2, 3]);
    expect([v2.changed, v3.changed]).toEqual([true, true]);
    expect(new Set([v1.source?.digest, v2.source?.digest, v3.source?.digest]).size).toBe(3);
    expect((await feature.client.call('getSource', { name: 'evolving', version: 1 })).source).toEqual(v1.source);
    expect((await feature.client.call('getSource', { name: 'evolving', version: 0 })).source?.version).toBe(3);
  });

  it.each([
    ['the entity key fields', { entityKeyFields: ['merchant'] }, 'entity_key_fields'],
    ['the event-time field', { eventTimeField: 'paid_at' }, 'event_time_field'],
    ['a field type', { fields: aSourceSpec().fields.map((field) => (field.name === 'attempts' ? { ...field, type: VALUE_TYPE_DOUBLE } : field)) }, 'field "attempts" changes type from INT64'],
  ])('refuses a change of %s with FAILED_PRECONDITION', async (_what, change, description) => {
    const name = `incompatible_${description.replace(/\W+/g, '_').slice(0, 20).toLowerCase()}`;
    const base = aSourceSpec({ name });
    await feature.client.call('applySource', { spec: { ...base, fields: [...base.fields, aField({ name: 'paid_at', type: VALUE_TYPE_TIMESTAMP }), aField({ name: 'merchant' })] } });

    const failure = await failureOf(
      feature.client.call('applySource', { spec: { ...base, fields: [...base.fields, aField({ name: 'paid_at', type: VALUE_TYPE_TIMESTAMP }), aField({ name: 'merchant' })], ...change } }),
    );

    expect(failure.code).toBe(status.FAILED_PRECONDITION);
    expect(failure.preconditionViolations).toEqual([{ type: 'INCOMPATIBLE_SOURCE_CHANGE', subject: `sources/${name}`, description: expect.stringContaining(description) }]);
    expect((await feature.client.call('getSource', { name })).source?.version).toBe(1);
  });

  it.each([
    ['a bad source name', 'spec.name', { name: 'Payments!' }],
    ['no entity key field', 'spec.entity_key_fields', { entityKeyFields: [] }],
    ['an unknown entity key field', 'spec.entity_key_fields[0]', { entityKeyFields: ['nope'] }],
    ['a nullable entity key field', 'spec.entity_key_fields[0]', { entityKeyFields: ['country'] }],
    ['a DOUBLE entity key field', 'spec.entity_key_fields[0]', { entityKeyFields: ['amount'] }],
    ['no event-time field', 'spec.event_time_field', { eventTimeField: '' }],
    ['a STRING event-time field', 'spec.event_time_field', { eventTimeField: 'user_id' }],
    ['no fields', 'spec.fields', { fields: [] }],
  ])('refuses %s with INVALID_ARGUMENT naming %s', async (_what, field, change) => {
    const failure = await failureOf(feature.client.call('applySource', { spec: aSourceSpec({ name: 'invalid', ...change }) }));

    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.fieldViolations).toContainEqual({ field, description: expect.any(String) });
  });

  it('reports every bad field constraint at once, each with its path', async () => {
    const fields = [
      aField({ name: 'user_id' }),
      aField({ name: 'ts', type: VALUE_TYPE_TIMESTAMP }),
      aField({ name: 'label', min: 1 }),
      aField({ name: 'score', type: VALUE_TYPE_DOUBLE, min: 10, max: 1 }),
      aField({ name: 'flag', type: VALUE_TYPE_BOOL, allowedValues: ['yes'] }),
      aField({ name: 'count', type: VALUE_TYPE_INT64, maxLength: 3 }),
      aField({ name: 'code', maxLength: 0 }),
      aField({ name: 'code' }),
      aField({ name: 'Bad Name' }),
      aField({ name: 'untyped', type: VALUE_TYPE_UNSPECIFIED }),
      aField({ name: 'plain', type: VALUE_TYPE_STRING }),
    ];

    const failure = await failureOf(feature.client.call('applySource', { spec: aSourceSpec({ name: 'constraints', fields }) }));

    expect(failure.code).toBe(status.INVALID_ARGUMENT);
    expect(failure.fieldViolations.map((violation) => violation.field).sort()).toEqual(
      [
        'spec.fields[2].min',
        'spec.fields[3].min',
        'spec.fields[4].allowed_values',
        'spec.fields[5].max_length',
        'spec.fields[6].max_length',
        'spec.fields[7].name',
        'spec.fields[8].name',
        'spec.fields[9].type',
      ].sort(),
    );
    expect(failure.fieldViolations).toContainEqual({ field: 'spec.fields[3].min', description: 'min 10 is greater than max 1' });
    expect(failure.fieldViolations).toContainEqual({ field: 'spec.fields[7].name', description: 'duplicate field name "code"' });
  });

  it('answers NOT_FOUND for an unknown source or version, and INVALID_ARGUMENT without a name', async () => {
    await feature.client.call('applySource', { spec: aSourceSpec({ name: 'known' }) });

    const unknown = await failureOf(feature.client.call('getSource', { name: 'unknown_source' }));
    const noVersion = await failureOf(feature.client.call('getSource', { name: 'known', version: 7 }));
    const noName = await failureOf(feature.client.call('getSource', { name: '' }));

    expect([unknown.code, noVersion.code, noName.code]).toEqual([status.NOT_FOUND, status.NOT_FOUND, status.INVALID_ARGUMENT]);
    expect(unknown.details).toContain('unknown_source');
    expect(noVersion.details).toContain('version 7');
  });

  it('creates one version when the same new spec is applied concurrently', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => feature.client.call('applySource', { spec: aSourceSpec({ name: 'raced' }) })));

    expect(new Set(results.map((result) => result.source?.version))).toEqual(new Set([1]));
    expect(results.filter((result) => result.changed)).toHaveLength(1);
    expect(await feature.prisma.source.count({ where: { name: 'raced' } })).toBe(1);
  });

  it('reports the newest accepted event time of the source', async () => {
    await feature.client.call('applySource', { spec: aSourceSpec({ name: 'with_events' }) });
    const times = ['2026-01-02T03:04:05.678Z', '2026-03-01T00:00:00.000Z', '2025-12-31T23:59:59.000Z'];
    await feature.prisma.event.createMany({
      data: times.map((time, index) => ({ source: 'with_events', sourceVersion: 1, entityKey: 'u1', eventTime: new Date(time), eventId: `e${index}`, payload: { user_id: 'u1', ts: time } })),
    });

    const { source } = await feature.client.call('getSource', { name: 'with_events' });

    expect(source?.latestEventTime).toEqual({ seconds: String(Date.parse('2026-03-01T00:00:00.000Z') / 1000), nanos: 0 });
  });

  it('lists the latest version of every source by name, one page at a time', async () => {
    for (const name of ['list_c', 'list_a', 'list_b']) await feature.client.call('applySource', { spec: aSourceSpec({ name }) });
    await feature.client.call('applySource', { spec: aSourceSpec({ name: 'list_b', description: 'second version' }) });

    const names: string[] = [];
    const versions: Record<string, number> = {};
    let pageToken = '';
    let pages = 0;
    do {
      const response = await feature.client.call('listSources', { page: { pageSize: 2, pageToken } });
      for (const source of response.sources) {
        names.push(source.spec?.name ?? '');
        versions[source.spec?.name ?? ''] = source.version;
      }
      pageToken = response.page?.nextPageToken ?? '';
      pages += 1;
    } while (pageToken !== '');

    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['list_a', 'list_b', 'list_c']));
    expect(versions['list_b']).toBe(2);
    expect(pages).toBeGreaterThan(1);
    expect((await failureOf(feature.client.call('listSources', { page: { pageToken: 'garbage' } }))).code).toBe(status.INVALID_ARGUMENT);
  });
});
