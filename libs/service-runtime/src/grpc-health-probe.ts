import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';

type CheckFn = (
  request: { service: string },
  options: { deadline: Date },
  callback: (error: ServiceError | null, response?: { status: string | number }) => void,
) => void;

const HealthClient = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');
const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** A client of a server's standard grpc.health.v1 service (launcher, tests, probes). */
export class GrpcHealthProbe {
  private readonly client: Client & { Check: CheckFn };

  constructor(address: string) {
    // Short reconnect backoff: a probe polls a server that is still starting, and grpc-js's
    // default backoff would grow to tens of seconds after a few refused connections.
    this.client = new HealthClient(address, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 500,
    }) as unknown as Client & { Check: CheckFn };
  }

  /**
   * Status of `service` (default: the whole server): 'SERVING', 'NOT_SERVING', 'UNKNOWN',
   * 'SERVICE_UNKNOWN', or 'UNREACHABLE' when no answer came in `timeoutMs`. Never rejects.
   */
  async check(service = '', timeoutMs = 1_000): Promise<string> {
    return new Promise((resolve) => {
      this.client.Check({ service }, { deadline: new Date(Date.now() + timeoutMs) }, (error, response) => {
        if (error !== null && error.code === 5) resolve('SERVICE_UNKNOWN');
        else if (error !== null || response === undefined) resolve('UNREACHABLE');
        else resolve(typeof response.status === 'number' ? (STATUS_NAMES[response.status] ?? 'UNKNOWN') : response.status);
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
