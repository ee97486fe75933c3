import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

/** Longest a keep-alive connection may sit idle during a drain before it is closed (capped at half the grace period). */
export const DRAIN_IDLE_CLOSE_MS = 1_000;

interface ConnectionState {
  /** Responses of this connection not finished yet (more than one when the client pipelines). */
  readonly open: Set<ServerResponse>;
  /** When its last response finished (or when it connected): `performance.now()`. */
  idleSince: number;
}

/** The connections of an HTTP server, tracked from before it listens so a drain can close each at the right moment. */
export interface HttpConnections {
  /**
   * Drains the server without resetting a request that reached it: it stops accepting
   * connections (without Node's `server.close()`, which destroys idle keep-alive sockets at
   * once, racing clients that are sending on them), answers every request that still arrives
   * with `Connection: close` (the response goes out, then the socket closes), closes a
   * connection that stays idle for {@link DRAIN_IDLE_CLOSE_MS} (half the grace at most), and
   * destroys whatever is still open when `graceMs` ends. Resolves `true` when every
   * connection closed in time.
   */
  drain(graceMs: number): Promise<boolean>;
}

/** Starts tracking the connections of `server`; call before it listens. */
export function trackHttpConnections(server: HttpServer): HttpConnections {
  const connections = new Map<Socket, ConnectionState>();
  let draining = false;
  let changed: (() => void) | undefined;

  server.on('connection', (socket: Socket) => {
    connections.set(socket, { open: new Set(), idleSince: performance.now() });
    socket.once('close', () => {
      connections.delete(socket);
      changed?.();
    });
  });
  // Before Fastify's own listener: the header must be set before any reply is written.
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    if (draining) response.setHeader('connection', 'close');
    const state = connections.get(request.socket);
    if (state === undefined) return;
    state.open.add(response);
    response.once('close', () => {
      state.open.delete(response);
      state.idleSince = performance.now();
      changed?.();
    });
  });

  let drained: Promise<boolean> | undefined;
  const drain = (graceMs: number): Promise<boolean> => {
    drained ??= new Promise<boolean>((resolve) => {
      draining = true;
      // Requests already inside the app answer with Connection: close too (unless their headers went out).
      for (const state of connections.values()) {
        for (const response of state.open) if (!response.headersSent) response.setHeader('connection', 'close');
      }
      // No new connections. net.Server#close, not http.Server#close: the latter also destroys every
      // idle keep-alive socket now, and a client may be sending its next request on one.
      NetServer.prototype.close.call(server, () => undefined);
      const idleCloseMs = Math.min(DRAIN_IDLE_CLOSE_MS, graceMs / 2);
      let idleTimer: NodeJS.Timeout | undefined;
      const finish = (allClosed: boolean): void => {
        changed = undefined;
        clearTimeout(idleTimer);
        clearTimeout(deadline);
        resolve(allClosed);
      };
      const deadline = setTimeout(() => {
        for (const socket of connections.keys()) socket.destroy();
        finish(false);
      }, graceMs);
      const check = (): void => {
        const now = performance.now();
        let nextCheckMs = Number.POSITIVE_INFINITY;
        for (const [socket, state] of connections) {
          if (state.open.size > 0) continue;
          const idleMs = now - state.idleSince;
          if (idleMs >= idleCloseMs) socket.destroy();
          else nextCheckMs = Math.min(nextCheckMs, idleCloseMs - idleMs);
        }
        if (connections.size === 0) return finish(true);
        clearTimeout(idleTimer);
        idleTimer = Number.isFinite(nextCheckMs) ? setTimeout(check, Math.ceil(nextCheckMs)) : undefined;
      };
      changed = check;
      check();
    });
    return drained;
  };
  return { drain };
}
