import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

/** The server side `addToServer` needs: a grpc-js `Server` (Nest's `onLoadPackageDefinition` gives it). */
export type HealthServer = Parameters<HealthImplementation['addToServer']>[0];

/** Overall health of the server: the empty service name in `grpc.health.v1`. */
export const WHOLE_SERVER = '';

/** The standard `grpc.health.v1.Health` service (Check + Watch) with simple status setters. */
export interface HealthService {
  /** Marks `service` (default: the whole server) SERVING. */
  setServing(service?: string): void;
  /** Marks `service` (default: the whole server) NOT_SERVING, e.g. while draining on SIGTERM. */
  setNotServing(service?: string): void;
  /** Marks every known service, and the whole server, NOT_SERVING. */
  setAllNotServing(): void;
  /** Current status of `service`, `SERVICE_UNKNOWN` when never set. */
  statusOf(service?: string): ServingStatus | 'SERVICE_UNKNOWN';
  /** Registers the Health service on a grpc-js server. */
  addToServer(server: HealthServer): void;
}

/**
 * Creates the gRPC health service. `initial` maps fully qualified service names
 * (`strata.registry.v1.RegistryService`, or `''` for the whole server) to their status;
 * the whole server starts NOT_SERVING unless given.
 *
 * @example
 * const health = createHealthService();
 * // GrpcOptions: onLoadPackageDefinition: (_definition, server) => health.addToServer(server)
 * await app.listen(); health.setServing();
 */
export function createHealthService(initial: Record<string, ServingStatus> = {}): HealthService {
  const statuses = new Map<string, ServingStatus>(Object.entries({ [WHOLE_SERVER]: 'NOT_SERVING', ...initial }));
  const implementation = new HealthImplementation(Object.fromEntries(statuses));
  const set = (service: string, status: ServingStatus): void => {
    statuses.set(service, status);
    implementation.setStatus(service, status);
  };
  return {
    setServing: (service = WHOLE_SERVER) => set(service, 'SERVING'),
    setNotServing: (service = WHOLE_SERVER) => set(service, 'NOT_SERVING'),
    setAllNotServing: () => {
      for (const service of statuses.keys()) set(service, 'NOT_SERVING');
    },
    statusOf: (service = WHOLE_SERVER) => statuses.get(service) ?? 'SERVICE_UNKNOWN',
    addToServer: (server) => implementation.addToServer(server),
  };
}
