import { freePort } from '@strata/ports';
import { Agent, createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import { type HttpConnections, trackHttpConnections } from './http-drain';

type Outcome = { status: number; connection: string | undefined } | { error: string };

function get(port: number, agent: Agent): Promise<Outcome> {
  return new Promise((resolve) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, path: '/', agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    outgoing.end();
  });
}

/** A server whose handler waits for `release()` before it answers when `hold` is set. */
async function startServer(): Promise<{ server: Server; connections: HttpConnections; port: number; arrived: Promise<void>; release: () => void; hold: { on: boolean } }> {
  const hold = { on: false };
  let arrive: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = createServer((_request: IncomingMessage, response: ServerResponse) => {
    if (!hold.on) return response.end('ok');
    arrive();
    void released.then(() => response.end('late'));
  });
  const connections = trackHttpConnections(server);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, connections, port, arrived, release, hold };
}

describe(trackHttpConnections.name, () => {
  it('answers a request in flight with Connection: close, refuses new connections, and resolves true once every connection closed', async () => {
    const { server, connections, port, arrived, release, hold } = await startServer();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(port, agent)).toEqual({ status: 200, connection: 'keep-alive' });
      hold.on = true;
      const inFlight = get(port, agent);
      await arrived;
      const drained = connections.drain(30_000);
      release();
      expect(await inFlight).toEqual({ status: 200, connection: 'close' });
      expect(await drained).toBe(true);
      expect(await get(port, agent)).toEqual({ error: 'ECONNREFUSED' });
    } finally {
      agent.destroy();
      server.closeAllConnections();
    }
  });

  it('closes a kept-alive connection that stays idle during the drain, and the client leaves without an error', async () => {
    const { connections, port } = await startServer();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(port, agent)).toEqual({ status: 200, connection: 'keep-alive' });
      expect(await connections.drain(30_000)).toBe(true);
      expect(await get(port, agent)).toEqual({ error: 'ECONNREFUSED' });
    } finally {
      agent.destroy();
    }
  });

  it('destroys a connection still busy when the grace period ends, and resolves false', async () => {
    const { connections, port, arrived, hold } = await startServer();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      hold.on = true;
      const stuck = get(port, agent);
      await arrived;
      expect(await connections.drain(100)).toBe(false);
      expect(await stuck).toEqual({ error: 'ECONNRESET' });
    } finally {
      agent.destroy();
    }
  });
});
