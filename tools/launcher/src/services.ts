/** One Strata service as the launcher runs it: a separate `node` process on its own ports. */
export interface ServiceSpec {
  readonly name: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  /** ANSI colour used for this service's lines on the console. */
  readonly colour: number;
}

/** The default ports; they match the table in the README. */
export const DEFAULT_PORTS: Record<string, { grpc: number; http: number }> = {
  gateway: { grpc: 50050, http: 8080 },
  'feature-service': { grpc: 50051, http: 8081 },
  'training-runner': { grpc: 50052, http: 8082 },
  'registry-service': { grpc: 50053, http: 8083 },
  'inference-service': { grpc: 50054, http: 8084 },
};

// Start order follows the arrows: those nobody depends on at start-up first, the gateway last.
const START_ORDER = ['feature-service', 'registry-service', 'training-runner', 'inference-service', 'gateway'];
const COLOURS = [36, 35, 33, 34, 32];

/**
 * The five services with their ports. With `portBase` set (tests), ports are portBase+0..9
 * instead of the defaults, so several platforms can run side by side.
 */
export function platformServices(portBase?: number): ServiceSpec[] {
  return START_ORDER.map((name, index) => {
    const defaults = DEFAULT_PORTS[name];
    if (defaults === undefined) throw new Error(`no default ports for ${name}`);
    return {
      name,
      grpcPort: portBase === undefined ? defaults.grpc : portBase + index * 2,
      httpPort: portBase === undefined ? defaults.http : portBase + index * 2 + 1,
      colour: COLOURS[index] ?? 37,
    };
  });
}
