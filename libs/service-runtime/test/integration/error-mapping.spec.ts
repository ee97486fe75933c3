import { credentials, loadPackageDefinition, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createLogger } from '@strata/observability';
import { freePort } from '@strata/ports';
import { decodeStatusDetails, loadServiceConfig, type RunningService, STATUS_DETAILS_KEY, startService } from '../../src';
import { SLOW_PROTO, slowService } from '../fixtures/slow-service';

type FailClient = {
  Fail(request: { name: string }, callback: (error: ServiceError | null) => void): void;
  close(): void;
};

describe('errors over gRPC', () => {
  let running: RunningService;
  let client: FailClient;

  const fail = (name: string): Promise<ServiceError> => new Promise((resolve) => client.Fail({ name }, (error) => resolve(error as ServiceError)));

  beforeAll(async () => {
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const config = loadServiceConfig(slowService.name, { grpc: grpcPort, http: httpPort }, { BIND_HOST: '127.0.0.1' });
    running = await startService(slowService, config, { inMemoryDatabase: true, logger: createLogger({ service: 'runtime-test', level: 'silent' }) });
    const pkg = loadPackageDefinition(loadSync(SLOW_PROTO)) as unknown as {
      strata: { runtimetest: { v1: { SlowService: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => FailClient } } };
    };
    client = new pkg.strata.runtimetest.v1.SlowService(running.grpcAddress, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await running?.close('test');
  });

  it('sends a domain error as its status with its message and google.rpc details', async () => {
    const error = await fail('gate');
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.details).toBe('gate not satisfied: auc 0.61 < min 0.7');
    const [bytes] = error.metadata.get(STATUS_DETAILS_KEY) as Buffer[];
    expect(decodeStatusDetails(bytes!).preconditionViolations).toEqual([{ type: 'GATE_METRIC', subject: 'auc', description: 'auc 0.61 < min 0.7' }]);
  });

  it('turns an unexpected error into INTERNAL without leaking its message', async () => {
    const error = await fail('bug');
    expect(error.code).toBe(status.INTERNAL);
    expect(error.details).not.toContain('hunter2');
  });
});
