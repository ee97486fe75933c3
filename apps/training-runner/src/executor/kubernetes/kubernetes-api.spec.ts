import type { V1Job } from '@kubernetes/client-node';
import { type BatchJobsClient, BatchV1JobsApi } from './kubernetes-api';

/** What the official client throws: an ApiException carrying the HTTP status as `code`. */
class FakeApiException extends Error {
  constructor(readonly code: number) {
    super(`HTTP-Code: ${code}`);
  }
}

class FakeBatchClient implements BatchJobsClient {
  readonly calls: string[] = [];
  failWith?: number;
  job: V1Job = { status: { active: 1 } };

  async createNamespacedJob(request: { namespace: string; body: V1Job }): Promise<unknown> {
    this.calls.push(`create ${request.namespace}/${request.body.metadata?.name}`);
    return this.answer(request.body);
  }

  async readNamespacedJobStatus(request: { name: string; namespace: string }): Promise<V1Job> {
    this.calls.push(`read ${request.namespace}/${request.name}`);
    return this.answer(this.job);
  }

  async deleteNamespacedJob(request: { name: string; namespace: string; propagationPolicy?: string }): Promise<unknown> {
    this.calls.push(`delete ${request.namespace}/${request.name} ${request.propagationPolicy}`);
    return this.answer({});
  }

  private answer<T>(value: T): T {
    if (this.failWith !== undefined) throw new FakeApiException(this.failWith);
    return value;
  }
}

describe(BatchV1JobsApi.name, () => {
  let client: FakeBatchClient;
  let api: BatchV1JobsApi;

  beforeEach(() => {
    client = new FakeBatchClient();
    api = new BatchV1JobsApi(client);
  });

  it('reports created when the Job is new and exists when the API answers 409', async () => {
    await expect(api.create('ns', { metadata: { name: 'a' } })).resolves.toBe('created');
    client.failWith = 409;
    await expect(api.create('ns', { metadata: { name: 'a' } })).resolves.toBe('exists');
    expect(client.calls).toEqual(['create ns/a', 'create ns/a']);
  });

  it('rethrows other errors when creating fails', async () => {
    client.failWith = 403;
    await expect(api.create('ns', {})).rejects.toMatchObject({ code: 403 });
  });

  it('maps the status when reading and gives undefined when the Job is gone', async () => {
    await expect(api.read('ns', 'a')).resolves.toEqual({ phase: 'running' });
    client.failWith = 404;
    await expect(api.read('ns', 'a')).resolves.toBeUndefined();
    client.failWith = 500;
    await expect(api.read('ns', 'a')).rejects.toMatchObject({ code: 500 });
  });

  it('deletes with background propagation and ignores a Job that is already gone', async () => {
    await api.delete('ns', 'a');
    client.failWith = 404;
    await api.delete('ns', 'a');
    expect(client.calls).toEqual(['delete ns/a Background', 'delete ns/a Background']);
    client.failWith = 500;
    await expect(api.delete('ns', 'a')).rejects.toMatchObject({ code: 500 });
  });
});
