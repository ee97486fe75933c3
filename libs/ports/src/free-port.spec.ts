import { createServer } from 'node:net';
import { freePort, freePortRange } from './free-port';

function listenOn(port: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(() => new Promise((done) => server.close(() => done()))));
  });
}

describe(freePort.name, () => {
  it('returns a port a server can listen on', async () => {
    const close = await listenOn(await freePort());
    await close();
  });
});

describe(freePortRange.name, () => {
  it('returns a base whose following ports can all be listened on', async () => {
    const base = await freePortRange(4);
    const closers = [];
    for (let port = base; port < base + 4; port += 1) closers.push(await listenOn(port));
    await Promise.all(closers.map((close) => close()));
  });
});

describe('port choice', () => {
  it('stays below the ephemeral range, where outgoing connections take their source ports', async () => {
    for (let i = 0; i < 20; i += 1) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(15_000);
      expect(port).toBeLessThan(32_768);
    }
  });

  it('does not hand out the same port twice in a row', async () => {
    const ports = [];
    for (let i = 0; i < 50; i += 1) ports.push(await freePort());
    for (let i = 1; i < ports.length; i += 1) expect(ports[i]).not.toBe(ports[i - 1]);
  });
});
