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
