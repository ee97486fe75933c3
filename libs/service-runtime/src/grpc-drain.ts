import type { Server } from '@grpc/grpc-js';

/**
 * Stops a gRPC server gracefully: no new calls are accepted, in-flight calls may finish
 * for up to `graceMs`, then whatever is still open (e.g. long-lived watch streams) is cut.
 * Resolves `true` when every call finished in time.
 */
export async function drainGrpcServer(server: Server, graceMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      server.forceShutdown();
      resolve(false);
    }, graceMs);
    server.tryShutdown(() => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(true);
    });
  });
}
