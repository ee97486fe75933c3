import { Client, credentials, Metadata, type ServerUnaryCall, Server, ServerCredentials, type ServiceError, status } from '@grpc/grpc-js';
import { sampleValue } from '../test/fixtures/prometheus-text';
import { type InMemoryTelemetry, startInMemoryTelemetry } from '../test/fixtures/in-memory-telemetry';
import { directUnaryCall, type DirectUnaryHandler } from './direct-unary';
import { createMetrics, type ServiceMetrics } from './metrics';
import { getRequestContext, setModelVersion } from './request-context';

const PATH = '/strata.test.v1.Echo/Echo';
const bytes = { serialize: (value: Buffer): Buffer => value, deserialize: (value: Buffer): Buffer => value };

class Refused extends Error {
  readonly code = status.FAILED_PRECONDITION;
}

interface Answer {
  readonly error: ServiceError | null;
  readonly response?: Buffer;
  readonly headers: Metadata | undefined;
}

describe(directUnaryCall.name, () => {
  let telemetry: InMemoryTelemetry;
  let metrics: ServiceMetrics;
  let server: Server;
  let client: Client;
  let handler: DirectUnaryHandler;

  beforeAll(async () => {
    telemetry = startInMemoryTelemetry();
    metrics = createMetrics('unit-test', { defaultMetrics: false });
    server = new Server();
    const served = directUnaryCall((request, metadata, call) => handler(request, metadata, call), {
      metrics,
      statusOfError: (error) => {
        const metadata = new Metadata();
        metadata.set('x-detail', 'mapped');
        return error instanceof Refused ? { code: error.code, details: error.message, metadata } : { code: status.INTERNAL, details: 'internal error', metadata };
      },
    });
    server.register<Buffer, Buffer>(PATH, served as never, bytes.serialize, bytes.deserialize, 'unary');
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
    client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  });

  afterAll(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    await telemetry.handle.shutdown();
  });

  function call(body: string, requestId?: string): Promise<Answer> {
    const metadata = new Metadata();
    if (requestId !== undefined) metadata.set('x-request-id', requestId);
    return new Promise((resolve) => {
      let headers: Metadata | undefined;
      const pending = client.makeUnaryRequest(PATH, bytes.serialize, bytes.deserialize, Buffer.from(body), metadata, (error, response) => resolve({ error, ...(response === undefined ? {} : { response }), headers }));
      pending.on('metadata', (received: Metadata) => (headers = received));
    });
  }

  const count = async (code: string): Promise<number> => (await sampleValue((await metrics.render()).body, 'strata_rpc_requests_total', { method: PATH.slice(1), code })) ?? 0;

  it('runs the handler in the caller request scope and answers what it set as response metadata', async () => {
    let seen: string | undefined;
    handler = async (request, _metadata, served: ServerUnaryCall<unknown, unknown>) => {
      seen = getRequestContext().requestId;
      setModelVersion('7', 'flight-delay');
      return Buffer.from(`${(request as Buffer).toString()} via ${served.getPath()}`);
    };
    const okBefore = await count('OK');
    const answer = await call('ping', 'req-42');
    expect(answer.error).toBeNull();
    expect(answer.response?.toString()).toBe(`ping via ${PATH}`);
    expect(seen).toBe('req-42');
    expect(answer.headers?.get('x-request-id')).toEqual(['req-42']);
    expect(answer.headers?.get('strata-model-version')).toEqual(['7']);
    expect(await count('OK')).toBe(okBefore + 1);
  });

  it('gives a call without a request ID a new one, and answers it', async () => {
    handler = () => Buffer.from(getRequestContext().requestId ?? '');
    const answer = await call('x');
    const assigned = answer.response?.toString() ?? '';
    expect(assigned).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(answer.headers?.get('x-request-id')).toEqual([assigned]);
  });

  it('answers a thrown or rejected error with the mapped status, details and metadata, and counts it under that code', async () => {
    const before = await count('FAILED_PRECONDITION');
    handler = () => {
      throw new Refused('not today');
    };
    const thrown = await call('x', 'req-thrown');
    handler = () => Promise.reject(new Refused('nor tomorrow'));
    const rejected = await call('x', 'req-rejected');
    for (const [answer, message, requestId] of [[thrown, 'not today', 'req-thrown'], [rejected, 'nor tomorrow', 'req-rejected']] as const) {
      expect(answer.error?.code).toBe(status.FAILED_PRECONDITION);
      expect(answer.error?.details).toBe(message);
      expect(answer.error?.metadata.get('x-detail')).toEqual(['mapped']);
      expect(answer.headers?.get('x-request-id')).toEqual([requestId]);
    }
    expect(await count('FAILED_PRECONDITION')).toBe(before + 2);
  });

  it('answers an unexpected error as the mapping says (INTERNAL, nothing of the cause)', async () => {
    handler = () => Promise.reject(new Error('secret stack detail'));
    const answer = await call('x');
    expect(answer.error?.code).toBe(status.INTERNAL);
    expect(answer.error?.details).toBe('internal error');
  });
});
