import { status } from '@grpc/grpc-js';
import { failureOf } from '@strata/testing';
import type { JobContext, JobCounters, JobHandler, JobKind } from '../../src/jobs/job';
import { JobQueue } from '../../src/jobs/job-queue';
import { ENGINES, startTestFeatureService, type TestFeatureService } from '../fixtures/feature-harness';

/** A job handler the test drives: each run waits until the test releases it (or the job is aborted). */
class GatedHandler implements JobHandler {
  readonly runs: JobContext[] = [];
  private releases: (() => void)[] = [];
  private started: (() => void)[] = [];

  constructor(readonly kind: JobKind) {}

  async run(context: JobContext): Promise<Partial<JobCounters>> {
    await context.checkpoint({ step: 1 }, { rowsRead: 5 });
    const gate = new Promise<void>((resolve, reject) => {
      this.releases.push(resolve);
      context.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
    this.runs.push(context);
    for (const notify of this.started.splice(0)) notify();
    await gate;
    return { rowsRead: 10, rowsAccepted: 9, rowsRejected: 1 };
  }

  /** Resolves once a run has started (the `count`-th overall). */
  async waitForRuns(count: number): Promise<void> {
    while (this.runs.length < count) await new Promise<void>((resolve) => this.started.push(resolve));
  }

  releaseAll(): void {
    for (const release of this.releases.splice(0)) release();
  }
}

const aMaterializeJob = (name: string, overrides: { activeKey?: string; idempotencyKey?: string } = {}) => ({
  kind: 'materialize' as const,
  params: { featureSet: { name, version: 1 }, start: '2001-01-01T00:00:00.000Z', end: '2001-02-01T00:00:00.000Z', offlineOnly: false },
  ...overrides,
});

describe.each(ENGINES)('jobs on %s', (engine) => {
  let feature: TestFeatureService;
  let queue: JobQueue;
  let handler: GatedHandler;

  beforeAll(async () => {
    feature = await startTestFeatureService(engine, { JOB_CONCURRENCY: '1', JOB_LEASE: '1500ms', JOB_MAX_ATTEMPTS: '2' });
    queue = feature.service.running.app.get(JobQueue);
    queue.unregister('materialize');
    handler = new GatedHandler('materialize');
    queue.register(handler);
  }, 180_000);

  afterAll(async () => {
    handler?.releaseAll();
    await feature?.stop();
  });

  it('runs a job to SUCCEEDED with its counters, params and timestamps', async () => {
    const before = handler.runs.length;
    const { job, created } = await queue.enqueue(aMaterializeJob('runs_ok'));
    expect(created).toBe(true);
    await handler.waitForRuns(before + 1);
    const running = (await feature.client.call('getJob', { id: job.id })).job;
    expect(running?.status).toBe('JOB_STATUS_RUNNING');
    handler.releaseAll();
    const done = await feature.client.waitForJob(job.id);
    expect(done).toMatchObject({
      id: job.id,
      kind: 'JOB_KIND_MATERIALIZE',
      status: 'JOB_STATUS_SUCCEEDED',
      materialize: { featureSet: { name: 'runs_ok', version: 1 }, range: { start: { seconds: '978307200' }, end: { seconds: '980985600' } } },
      counters: { rowsRead: '10', rowsAccepted: '9', rowsRejected: '1', valuesWritten: '0', rowsTotal: '0' },
      errorMessage: '',
    });
    expect(done.startedAt).toBeTruthy();
    expect(done.finishedAt).toBeTruthy();
  });

  it('returns the first job for a repeated idempotency key, and the active job for an active key until it finishes', async () => {
    let before = handler.runs.length;
    const first = await queue.enqueue(aMaterializeJob('keys', { idempotencyKey: 'once', activeKey: 'keys:range' }));
    const again = await queue.enqueue(aMaterializeJob('keys', { idempotencyKey: 'once' }));
    expect(again).toMatchObject({ created: false, job: { id: first.job.id } });
    const sameRange = await queue.enqueue(aMaterializeJob('keys', { activeKey: 'keys:range' }));
    expect(sameRange).toMatchObject({ created: false, job: { id: first.job.id } });

    await handler.waitForRuns(before + 1);
    handler.releaseAll();
    await feature.client.waitForJob(first.job.id);
    before = handler.runs.length;
    const afterwards = await queue.enqueue(aMaterializeJob('keys', { activeKey: 'keys:range' }));
    expect(afterwards.created).toBe(true);
    await handler.waitForRuns(before + 1);
    handler.releaseAll();
    await feature.client.waitForJob(afterwards.job.id);
  });

  it('cancels a pending job at once and a running job once its handler stops', async () => {
    const before = handler.runs.length;
    const running = await queue.enqueue(aMaterializeJob('cancel_running'));
    await handler.waitForRuns(before + 1);
    const pending = await queue.enqueue(aMaterializeJob('cancel_pending')); // concurrency 1: waits

    const cancelledPending = (await feature.client.call('cancelJob', { id: pending.job.id })).job;
    expect(cancelledPending).toMatchObject({ status: 'JOB_STATUS_CANCELLED' });
    expect((await feature.client.call('cancelJob', { id: pending.job.id })).job?.status).toBe('JOB_STATUS_CANCELLED');

    const stopping = (await feature.client.call('cancelJob', { id: running.job.id })).job;
    expect(['JOB_STATUS_RUNNING', 'JOB_STATUS_CANCELLED']).toContain(stopping?.status);
    expect(await feature.client.waitForJob(running.job.id)).toMatchObject({ status: 'JOB_STATUS_CANCELLED', counters: { rowsRead: '5' } });
  });

  it('refuses to cancel a finished job and answers NOT_FOUND for an unknown one', async () => {
    const before = handler.runs.length;
    const { job } = await queue.enqueue(aMaterializeJob('finished'));
    await handler.waitForRuns(before + 1);
    handler.releaseAll();
    await feature.client.waitForJob(job.id);
    const refused = await failureOf(feature.client.call('cancelJob', { id: job.id }));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.preconditionViolations[0]).toMatchObject({ type: 'JOB_STATUS', subject: `jobs/${job.id}` });
    expect((await failureOf(feature.client.call('getJob', { id: '0196d5c2-0000-7000-8000-000000000000' }))).code).toBe(status.NOT_FOUND);
    expect((await failureOf(feature.client.call('getJob', { id: 'not-a-job' }))).code).toBe(status.NOT_FOUND);
  });

  it('resumes a job whose worker crashed from its checkpoint, and fails it after the last attempt', async () => {
    let before = handler.runs.length;
    const { job } = await queue.enqueue(aMaterializeJob('crashed'));
    await handler.waitForRuns(before + 1);
    handler.releaseAll();
    await feature.client.waitForJob(job.id);
    // Rewind it to "running on a worker that died": an expired lease held by someone else.
    before = handler.runs.length;
    await feature.prisma.job.update({
      where: { id: job.id },
      data: { status: 'running', leaseOwner: 'dead-worker', leaseExpiresAt: new Date(Date.now() - 60_000), attempts: 1, checkpoint: { step: 7 }, finishedAt: null },
    });
    await handler.waitForRuns(before + 1);
    const resumed = handler.runs.at(-1);
    expect(resumed?.job).toMatchObject({ id: job.id, checkpoint: { step: 7 }, attempts: 2 });
    handler.releaseAll();
    expect(await feature.client.waitForJob(job.id)).toMatchObject({ status: 'JOB_STATUS_SUCCEEDED' });

    await feature.prisma.job.update({
      where: { id: job.id },
      data: { status: 'running', leaseOwner: 'dead-worker', leaseExpiresAt: new Date(Date.now() - 60_000), attempts: 2, finishedAt: null },
    });
    const failed = await feature.client.waitForJob(job.id);
    expect(failed.status).toBe('JOB_STATUS_FAILED');
    expect(failed.errorMessage).toMatch(/interrupted 2 times/);
  });

  it('lists jobs newest first with filters and paging', async () => {
    const all = await feature.client.call('listJobs', { kind: 'JOB_KIND_MATERIALIZE' as never });
    expect(all.jobs.length).toBeGreaterThanOrEqual(6);
    const ids = all.jobs.map((job) => job.id);
    expect([...ids].sort().reverse()).toEqual(ids);

    const byName = await feature.client.call('listJobs', { featureSetName: 'keys' });
    expect(byName.jobs.map((job) => job.materialize?.featureSet?.name)).toEqual(['keys', 'keys']);
    const cancelled = await feature.client.call('listJobs', { status: 'JOB_STATUS_CANCELLED' as never });
    expect(cancelled.jobs.map((job) => job.materialize?.featureSet?.name).sort()).toEqual(['cancel_pending', 'cancel_running']);
    expect((await feature.client.call('listJobs', { source: 'nothing_here' })).jobs).toEqual([]);

    const first = await feature.client.call('listJobs', { page: { pageSize: 2 } });
    const second = await feature.client.call('listJobs', { page: { pageSize: 2, pageToken: first.page?.nextPageToken ?? '' } });
    expect(first.jobs.map((job) => job.id)).toEqual(ids.slice(0, 2));
    expect(second.jobs.map((job) => job.id)).toEqual(ids.slice(2, 4));
    const badToken = await failureOf(feature.client.call('listJobs', { status: 'JOB_STATUS_FAILED' as never, page: { pageSize: 2, pageToken: first.page?.nextPageToken ?? '' } }));
    expect(badToken.code).toBe(status.INVALID_ARGUMENT);
  });
});
