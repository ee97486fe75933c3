import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayPlatform } from '../fixtures/gateway-platform';

// Above its in-flight limit the gateway refuses a prediction before it reads the body or
// verifies the key: shedding must cost less than serving, or a backlog builds up and the gateway
// recovers late once the load drops. With MAX_IN_FLIGHT=1 and inference-service stopped
// (SIGSTOP), one admitted request holds the only slot; a POST with neither a key nor a valid body
// then gets the 503 + Retry-After of the shed, not the 400 it gets once a slot is free.

jest.setTimeout(300_000);

const PREDICT = '/v1/models/delays:predict';
const VALID_BODY = '{"inputs":{"features":[[0.5,1,2]]}}';

let platform: GatewayPlatform;
let key: string;

async function post(body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${platform.gateway.httpUrl}${PREDICT}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

beforeAll(async () => {
  platform = await GatewayPlatform.start({ MAX_IN_FLIGHT: '1' });
  key = await platform.createKey({ name: 'shedding-client', rateLimit: { requestsPerSecond: 100_000, burst: 100_000 } });
  let served = false;
  for (let attempt = 0; attempt < 400 && !served; attempt += 1) {
    served = (await post(VALID_BODY, { 'x-api-key': key })).status === 200;
    if (!served) await sleep(50);
  }
  if (!served) throw new Error('predictions never served');
});

afterAll(async () => {
  await platform?.stop();
});

it('refuses a prediction with 503 + Retry-After before reading its body or checking its key when every slot is taken', async () => {
  // A slot is free: the same bad request is judged on its merits (a body that is not JSON: 400).
  expect((await post('{not json')).status).toBe(400);
  const pid = platform.inference.child.pid as number;
  process.kill(pid, 'SIGSTOP');
  let held: Promise<Response> | undefined;
  try {
    // Admitted, then waits on the stopped inference-service: it holds the only slot.
    held = post(VALID_BODY, { 'x-api-key': key, 'x-request-timeout-ms': '30000' });
    let shed: Response | undefined;
    for (let attempt = 0; attempt < 500 && shed === undefined; attempt += 1) {
      const answer = await post('{not json');
      if (answer.status === 503) shed = answer;
      else {
        expect(answer.status).toBe(400); // not admitted yet
        await sleep(20);
      }
    }
    expect(shed?.status).toBe(503);
    expect(shed?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(shed?.headers.get('x-request-id')).toBeTruthy();
    const problem = (await shed?.json()) as { type: string; detail: string };
    expect(problem.type).toBe('https://strata.dev/problems/unavailable');
    expect(problem.detail).toContain('limit of 1 requests in flight');
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  // The held request is answered once inference-service runs again, and its slot is freed.
  expect((await held).status).toBe(200);
  expect((await post('{not json')).status).toBe(400);
});
