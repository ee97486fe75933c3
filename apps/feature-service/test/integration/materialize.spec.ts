import { status } from '@grpc/grpc-js';
import { failureOf } from '@strata/testing';
import { FeatureEvaluator } from '../../src/evaluation/feature-evaluator';
import { FeatureSetService } from '../../src/feature-set/feature-set.service';
import { ENGINES, startTestFeatureService, type TestFeatureService } from '../fixtures/feature-harness';
import { applyRouteFeatureSets, DAY, entityOf, expectedFeature, generateRouteEvents, HOUR, insertEvents, ROUTE_STATS, type RouteEvent, storeSnapshot, T0 } from '../fixtures/route-events';

const END = T0 + 4 * DAY;
const timestamp = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 });
const msOf = (value: { seconds: string; nanos: number } | null | undefined) => (value === null || value === undefined ? undefined : Number(value.seconds) * 1000 + Math.floor(value.nanos / 1_000_000));

describe.each(ENGINES)('Materialize (%s)', (engine) => {
  let service: TestFeatureService;
  const events = generateRouteEvents(300, 11);

  const materialize = async (request: { start?: number; end?: number; offlineOnly?: boolean; name?: string } = {}) => {
    const { job } = await service.client.call('materialize', {
      featureSet: { name: request.name ?? 'route_stats', version: 1 },
      start: request.start === undefined ? null : timestamp(request.start),
      end: timestamp(request.end ?? END),
      offlineOnly: request.offlineOnly ?? false,
    });
    return service.client.waitForJob(job?.id ?? '');
  };
  const featureSetRow = () => service.prisma.featureSet.findFirstOrThrow({ where: { name: 'route_stats', version: 1 } });

  beforeAll(async () => {
    service = await startTestFeatureService(engine, { JOB_LEASE: '3000ms' });
    await applyRouteFeatureSets(service.client);
    await insertEvents(service.prisma, events, 'mat');
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('records the job with its range and counters, and moves materialized_until to the end', async () => {
    const job = await materialize();
    expect(job).toMatchObject({
      kind: 'JOB_KIND_MATERIALIZE',
      status: 'JOB_STATUS_SUCCEEDED',
      materialize: { featureSet: { name: 'route_stats', version: 1 }, range: { start: timestamp(Math.min(...events.map((event) => event.at))), end: timestamp(END) } },
      counters: { rowsRead: String(events.length), rowsTotal: String(events.length) },
      errorMessage: '',
    });
    const tiles = await service.prisma.featureTile.count();
    const entities = new Set(events.map((event) => entityOf(event, []))).size;
    expect(Number(job.counters?.valuesWritten)).toBe((tiles + entities) * ROUTE_STATS.features.length);
    expect(tiles).toBe(new Set(events.map((event) => `${entityOf(event, [])}@${event.at}`)).size);
    const { featureSet } = await service.client.call('getFeatureSet', { featureSet: { name: 'route_stats', version: 1 } });
    expect(msOf(featureSet?.materializedUntil)).toBe(END);
    const listed = await service.client.call('listJobs', { kind: 'JOB_KIND_MATERIALIZE' as never, featureSetName: 'route_stats' });
    expect(listed.jobs.map((listedJob) => listedJob.id)).toContain(job.id);
  });

  it('rewrites identical tiles and online rows when the same range is materialized again', async () => {
    const before = await storeSnapshot(service.prisma, 'route_stats');
    const generation = (await featureSetRow()).onlineGeneration;
    expect((await materialize()).status).toBe('JOB_STATUS_SUCCEEDED');
    expect(await storeSnapshot(service.prisma, 'route_stats')).toEqual(before);
    expect((await featureSetRow()).onlineGeneration).toBe(generation + 1n);
  });

  it('does not move materialized_until back when an earlier range is backfilled', async () => {
    const before = await storeSnapshot(service.prisma, 'route_stats');
    expect((await materialize({ start: T0, end: T0 + DAY })).status).toBe('JOB_STATUS_SUCCEEDED');
    expect((await featureSetRow()).materializedUntil?.getTime()).toBe(END);
    expect(await storeSnapshot(service.prisma, 'route_stats')).toEqual(before);

    const generation = (await featureSetRow()).onlineGeneration;
    expect((await materialize({ start: T0, end: T0 + 2 * DAY, offlineOnly: true })).status).toBe('JOB_STATUS_SUCCEEDED');
    expect(await featureSetRow()).toMatchObject({ onlineGeneration: generation });
    expect(await storeSnapshot(service.prisma, 'route_stats')).toEqual(before);
  });

  it('resumes a crashed job from its checkpoint and ends with the same tiles and online rows', async () => {
    const before = await storeSnapshot(service.prisma, 'route_stats');
    const featureSet = await featureSetRow();
    const start = Math.min(...events.map((event) => event.at));
    const halfway = T0 + 1.5 * DAY;
    // The crash: tiles after the checkpoint are gone, the job is RUNNING under an expired lease of a dead worker.
    await service.prisma.featureTile.deleteMany({ where: { featureSetId: featureSet.id, tileTime: { gte: new Date(halfway) } } });
    const crashed = await service.prisma.job.create({
      data: {
        kind: 'materialize',
        status: 'running',
        params: { featureSet: { name: 'route_stats', version: 1 }, featureSetId: featureSet.id, start: new Date(start).toISOString(), end: new Date(END).toISOString(), offlineOnly: false },
        activeKey: `materialize:${featureSet.id}:crashed`,
        checkpoint: { doneUntil: new Date(halfway).toISOString() },
        counters: { rowsRead: 1, rowsAccepted: 0, rowsRejected: 0, valuesWritten: 0, rowsTotal: events.length },
        attempts: 1,
        leaseOwner: 'dead-worker',
        leaseExpiresAt: new Date(Date.now() - 60_000),
        startedAt: new Date(),
      },
    });
    const done = await service.client.waitForJob(crashed.id);
    expect(done.status).toBe('JOB_STATUS_SUCCEEDED');
    const resumedEvents = events.filter((event) => event.at >= halfway && event.at < END).length;
    expect(done.counters).toMatchObject({ rowsRead: String(1 + resumedEvents), rowsTotal: String(events.length) });
    expect(await storeSnapshot(service.prisma, 'route_stats')).toEqual(before);
  });

  it('evaluates from raw events exactly as from tiles, and a knowledge cutoff leaves out later-ingested events', async () => {
    const evaluator = service.service.running.app.get(FeatureEvaluator);
    const featureSet = await service.service.running.app.get(FeatureSetService).get({ name: 'route_stats', version: 1 });
    const targets = events.filter((_, index) => index % 5 === 0).flatMap((event) => [0, HOUR, DAY - 1].map((offset) => ({ entityKey: entityOf(event, []), at: new Date(event.at + offset) })));
    targets.push({ entityKey: 'nowhere|none', at: new Date(END) });
    const fromTiles = await evaluator.evaluate(featureSet, targets, { from: 'tiles' });
    const fromEvents = await evaluator.evaluate(featureSet, targets, { from: 'events' });
    expect(fromEvents).toEqual(fromTiles);
    expect(fromTiles.at(-1)?.every((feature) => feature.value === null && feature.nullReason === 'MISSING')).toBe(true);
    const sample = targets[3];
    const expected = expectedFeature(events, ROUTE_STATS, 'delay_sum_1d', sample?.entityKey ?? '', sample?.at.getTime() ?? 0).value as number;
    expect(fromTiles[3]?.[1]?.value).toBeCloseTo(expected, 9);

    // A late event ingested "tomorrow": invisible as known now, visible without a cutoff.
    const [origin, destination] = (sample?.entityKey ?? '').split('|') as [string, string];
    const late: RouteEvent = { origin, destination, at: (sample?.at.getTime() ?? 0) - 1, delay: 1000, distance: 1, carrier: 'AA' };
    const knownAt = new Date();
    await insertEvents(service.prisma, [late], 'late', new Date(knownAt.getTime() + DAY));
    const [cutoff] = await evaluator.evaluate(featureSet, [sample as { entityKey: string; at: Date }], { from: 'events', knownAt }, ['delay_sum_1d']);
    const [everything] = await evaluator.evaluate(featureSet, [sample as { entityKey: string; at: Date }], { from: 'events' }, ['delay_sum_1d']);
    expect(cutoff?.[0]?.value).toBeCloseTo(expected, 9);
    expect(everything?.[0]?.value).toBeCloseTo(expected + 1000, 9);
  });

  it('rejects an unknown feature set, an unpinned version and an empty range', async () => {
    const unknown = await failureOf(service.client.call('materialize', { featureSet: { name: 'no_such_set', version: 1 } }));
    expect(unknown.code).toBe(status.NOT_FOUND);
    const unpinned = await failureOf(service.client.call('materialize', { featureSet: { name: 'route_stats', version: 0 } }));
    expect(unpinned.code).toBe(status.INVALID_ARGUMENT);
    expect(unpinned.fieldViolations.map((violation) => violation.field)).toEqual(['feature_set.version']);
    const empty = await failureOf(service.client.call('materialize', { featureSet: { name: 'route_stats', version: 1 }, start: timestamp(END), end: timestamp(END) }));
    expect(empty.code).toBe(status.INVALID_ARGUMENT);
    expect(empty.fieldViolations.map((violation) => violation.field)).toEqual(['start']);
  });
});
