import { createServer } from 'node:net';

/**
 * Ports are picked below the kernel's ephemeral range (Linux default 32768–60999). A port
 * the OS picked with `listen(0)` comes from that range, and the same range hands out the
 * source ports of outgoing connections — with many tests connecting to PostgreSQL and to
 * each other in parallel, such a port is regularly taken between "it was free" and the
 * server's listen (EADDRINUSE). Below the range, only another listener can take it.
 */
const RANGE_START = 15_000;
const RANGE_END = 32_767;
const RANGE_SIZE = RANGE_END - RANGE_START + 1;

// Each process walks the range from its own random starting point, so two test workers
// rarely probe the same ports, and one process never hands out the same port twice in a row.
let cursor = Math.floor(Math.random() * RANGE_SIZE);

function nextCandidate(): number {
  cursor = (cursor + 1 + Math.floor(Math.random() * 16)) % RANGE_SIZE;
  return RANGE_START + cursor;
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Returns a TCP port on 127.0.0.1 that was free a moment ago, outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = nextCandidate();
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found on 127.0.0.1 between ${RANGE_START} and ${RANGE_END}`);
}

/**
 * Returns the first of `count` consecutive ports on 127.0.0.1 that were all free a moment
 * ago, for programs that take a port base (the launcher).
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const base = await freePort();
    if (base + count - 1 > RANGE_END) continue;
    let allFree = true;
    for (let port = base + 1; port < base + count && allFree; port += 1) allFree = await isFree(port);
    if (allFree) {
      cursor = (base - RANGE_START + count - 1) % RANGE_SIZE;
      return base;
    }
  }
  throw new Error(`no ${count} consecutive free ports found on 127.0.0.1`);
}
