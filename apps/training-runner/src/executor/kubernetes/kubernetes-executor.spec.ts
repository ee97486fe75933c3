import type { V1Job } from '@kubernetes/client-node';
import { KubernetesExecutor } from './kubernetes-executor';
import type { KubernetesJobsApi, KubernetesJobState } from './kubernetes-jobs-api';
import { type KubernetesExecutorConfig, trainingJobName } from './training-job-manifest';

const JOB_ID = '0190f3a2-7c4e-7b1a-9d2e-5f6a7b8c9d0e';
const NAME = trainingJobName(JOB_ID);
const CONFIG: KubernetesExecutorConfig = {
  namespace: 'strata-training',
  image: 'training-runner:test',
  serviceAccountName: 'training-job',
  databaseUrlSecret: { name: 'db', key: 'url' },
  featureServiceAddress: 'feature-service:50051',
  registryAddress: 'registry-service:50051',
};
const RUN = { timeoutSeconds: 600 };

type ReadAnswer = KubernetesJobState | undefined | Error;

/** A Kubernetes that answers status reads from a script (the last answer repeats). */
class FakeJobsApi implements KubernetesJobsApi {
  readonly created: V1Job[] = [];
  readonly deleted: string[] = [];
  reads = 0;
  existing = false;
  onRead: () => void = () => undefined;

  constructor(private readonly script: ReadAnswer[]) {}

  async create(namespace: string, job: V1Job): Promise<'created' | 'exists'> {
    this.created.push(job);
    return this.existing ? 'exists' : 'created';
  }

  async read(_namespace: string, _name: string): Promise<KubernetesJobState | undefined> {
    const answer = this.script[Math.min(this.reads, this.script.length - 1)];
    this.reads += 1;
    this.onRead();
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async delete(namespace: string, name: string): Promise<void> {
    this.deleted.push(`${namespace}/${name}`);
  }
}

function executorOn(api: KubernetesJobsApi, log: string[] = []): KubernetesExecutor {
  return new KubernetesExecutor(api, CONFIG, { pollIntervalMs: 1, maxConsecutiveReadErrors: 3, log: (line) => log.push(line) });
}

describe(KubernetesExecutor.name, () => {
  it('creates the Job and resolves succeeded when it completes', async () => {
    const api = new FakeJobsApi([{ phase: 'pending' }, { phase: 'running' }, { phase: 'succeeded' }]);
    const log: string[] = [];
    await expect(executorOn(api, log).run(JOB_ID, RUN, new AbortController().signal)).resolves.toBe('succeeded');
    expect(api.created).toHaveLength(1);
    expect(api.created[0]!.metadata).toMatchObject({ name: NAME, namespace: 'strata-training' });
    expect(api.created[0]!.spec!.activeDeadlineSeconds).toBe(600);
    expect(api.reads).toBe(3);
    expect(log).toEqual([`created kubernetes job=${NAME} namespace=strata-training`, `kubernetes job=${NAME} succeeded`]);
  });

  it('resolves failed with the reason logged when the Job fails', async () => {
    const api = new FakeJobsApi([{ phase: 'running' }, { phase: 'failed', reason: 'DeadlineExceeded' }]);
    const log: string[] = [];
    await expect(executorOn(api, log).run(JOB_ID, RUN, new AbortController().signal)).resolves.toBe('failed');
    expect(log).toContain(`kubernetes job=${NAME} failed reason=DeadlineExceeded`);
    expect(api.deleted).toEqual([]);
  });

  it('adopts the Job when it already exists', async () => {
    const api = new FakeJobsApi([{ phase: 'succeeded' }]);
    api.existing = true;
    const log: string[] = [];
    await expect(executorOn(api, log).run(JOB_ID, RUN, new AbortController().signal)).resolves.toBe('succeeded');
    expect(log[0]).toBe(`adopted existing kubernetes job=${NAME} namespace=strata-training`);
  });

  it('resolves failed when the Job disappears before finishing', async () => {
    const api = new FakeJobsApi([{ phase: 'running' }, undefined]);
    await expect(executorOn(api).run(JOB_ID, RUN, new AbortController().signal)).resolves.toBe('failed');
  });

  it('keeps polling when a few status reads fail', async () => {
    const api = new FakeJobsApi([new Error('connection reset'), new Error('connection reset'), { phase: 'succeeded' }]);
    await expect(executorOn(api).run(JOB_ID, RUN, new AbortController().signal)).resolves.toBe('succeeded');
  });

  it('rejects when status reads keep failing', async () => {
    const api = new FakeJobsApi([new Error('forbidden')]);
    await expect(executorOn(api).run(JOB_ID, RUN, new AbortController().signal)).rejects.toThrow('forbidden');
    expect(api.reads).toBe(3);
  });

  it('deletes the Job and rejects with the abort reason when the run is cancelled', async () => {
    const api = new FakeJobsApi([{ phase: 'running' }]);
    const controller = new AbortController();
    const reason = new Error('cancelled by user');
    api.onRead = () => {
      if (api.reads === 2) controller.abort(reason);
    };
    await expect(executorOn(api).run(JOB_ID, RUN, controller.signal)).rejects.toBe(reason);
    expect(api.deleted).toEqual([`strata-training/${NAME}`]);
  });

  it('rejects with the abort reason even when deleting the Job fails', async () => {
    const api = new FakeJobsApi([{ phase: 'running' }]);
    api.delete = () => Promise.reject(new Error('API down'));
    const controller = new AbortController();
    api.onRead = () => controller.abort('stop');
    const log: string[] = [];
    await expect(executorOn(api, log).run(JOB_ID, RUN, controller.signal)).rejects.toBe('stop');
    expect(log.at(-1)).toBe(`deleting kubernetes job=${NAME} namespace=strata-training failed: Error: API down`);
  });

  it('creates nothing when the signal is already aborted', async () => {
    const api = new FakeJobsApi([{ phase: 'running' }]);
    const controller = new AbortController();
    controller.abort(new Error('early'));
    await expect(executorOn(api).run(JOB_ID, RUN, controller.signal)).rejects.toThrow('early');
    expect(api.created).toEqual([]);
  });
});
