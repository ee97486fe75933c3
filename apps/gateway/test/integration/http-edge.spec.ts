import { buildServiceForTest, type ServiceBuild, type ServiceProcess, startServiceProcess } from '@strata/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The gateway's HTTP edge as a real process: every error it can answer is problem+json with a
// request ID (unknown routes, Fastify's own refusals, requests Node's parser refuses), and
// SIGTERM under keep-alive load resets no request: each connection gets its last answer with
// `Connection: close`, and only new connections are refused once the listener closed.

jest.setTimeout(300_000);

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';
const MAX_BODY_BYTES = 2048;

let build: ServiceBuild;
const dataDirs: string[] = [];
const processes: ServiceProcess[] = [];

/** A gateway process on PGlite without inference (the routes used here never reach it). */
async function startGateway(env: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gateway-http-edge-'));
  dataDirs.push(dataDir);
  const gateway = await startServiceProcess(build, { DATA_DIR: dataDir, LOG_LEVEL: 'warn', MAX_BODY_BYTES: String(MAX_BODY_BYTES), ...env });
  processes.push(gateway);
  return gateway;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

/** One request on its own connection, the path sent byte for byte (fetch would normalise it). */
function send(baseUrl: string, method: string, urlPath: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: url.hostname, port: url.port, method, path: urlPath, headers: options.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // not JSON
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
    });
    // A body over the limit may be answered (413) before it is all sent: the rest then fails to write.
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** Writes `raw` bytes on a new connection and returns everything the gateway answers before it closes. */
function sendRaw(baseUrl: string, raw: string): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(raw));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** A problem+json answer with a stable type and the request ID in the header and the body. */
function expectProblem(answer: Answer, status: number, reason: string): void {
  expect({ status: answer.status, type: answer.json['type'], contentType: answer.headers['content-type'] }).toEqual({ status, type: `https://strata.dev/problems/${reason}`, contentType: PROBLEM_TYPE });
  expect(answer.json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), instance: expect.stringMatching(/^\//), request_id: answer.headers['x-request-id'] });
  expect(answer.text).not.toMatch(/FST_ERR|Cannot (GET|POST)|node_modules/);
}

beforeAll(async () => {
  build = await buildServiceForTest('gateway');
});

afterAll(async () => {
  for (const gateway of processes) await gateway.killHard();
  await build?.remove();
  for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
});

describe('HTTP errors outside the REST routes', () => {
  let gateway: ServiceProcess;

  beforeAll(async () => {
    gateway = await startGateway();
  });

  it('answers an unknown route 404 and a known path with another method 405 (with Allow), keeping the caller\'s request ID', async () => {
    const unknown = await send(gateway.httpUrl, 'POST', '/v1/nope?x=1', { headers: { 'x-request-id': 'edge-0001' } });
    expectProblem(unknown, 404, 'not-found');
    expect(unknown.json).toMatchObject({ instance: '/v1/nope', request_id: 'edge-0001' });
    const oip = await send(gateway.httpUrl, 'GET', '/v2/nope');
    expectProblem(oip, 404, 'not-found');
    expect(oip.json['error']).toBe(oip.json['detail']);
    const wrongMethod = await send(gateway.httpUrl, 'GET', '/v1/models/delays:predict');
    expectProblem(wrongMethod, 405, 'method-not-allowed');
    expect(wrongMethod.headers['allow']).toBe('POST');
    const probeWrongMethod = await send(gateway.httpUrl, 'DELETE', '/healthz');
    expectProblem(probeWrongMethod, 405, 'method-not-allowed');
    expect(probeWrongMethod.headers['allow']).toBe('GET, HEAD');
  });

  it('answers Fastify\'s refusals of a URL: 414 for a too long path parameter, 400 for a malformed one', async () => {
    expectProblem(await send(gateway.httpUrl, 'POST', `/v1/models/${'m'.repeat(150)}:predict`, { headers: { 'content-type': 'application/json' }, body: '{}' }), 414, 'uri-too-long');
    expectProblem(await send(gateway.httpUrl, 'GET', '/v2/models/%E0%A4%A/ready'), 400, 'invalid-url');
    expectProblem(await send(gateway.httpUrl, 'GET', '/%'), 400, 'invalid-url');
  });

  it('answers bad bodies with problem+json on REST routes, unknown routes and the probes alike', async () => {
    const json = { 'content-type': 'application/json' };
    expectProblem(await send(gateway.httpUrl, 'POST', '/v1/models/delays:predict', { headers: json, body: '{"inputs": ' }), 400, 'malformed-json');
    expectProblem(await send(gateway.httpUrl, 'POST', '/v1/nope', { headers: json, body: '{"inputs": ' }), 400, 'malformed-json');
    expectProblem(await send(gateway.httpUrl, 'POST', '/healthz', { headers: json, body: '{"inputs": ' }), 400, 'malformed-json');
    expectProblem(await send(gateway.httpUrl, 'POST', '/v1/models/delays:predict', { headers: json, body: JSON.stringify({ inputs: { features: [Array(MAX_BODY_BYTES).fill(1)] } }) }), 413, 'body-too-large');
    // Unmatched routes keep Fastify's body limit (1 MiB).
    expectProblem(await send(gateway.httpUrl, 'POST', '/v1/nope', { headers: json, body: Buffer.alloc(1024 * 1024 + 1, 0x20) }), 413, 'body-too-large');
  });

  it('answers requests Node\'s HTTP parser refuses with problem+json too (malformed request 400, headers too large 431)', async () => {
    for (const [raw, status, reason] of [
      ['GARBAGE\r\n\r\n', 400, 'malformed-request'],
      [`GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'header-too-large'],
    ] as const) {
      const answer = await sendRaw(gateway.httpUrl, raw);
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(head.toLowerCase()).toContain(`content-type: ${PROBLEM_TYPE}`);
      const problem = JSON.parse(body) as Record<string, unknown>;
      expect(problem).toMatchObject({ type: `https://strata.dev/problems/${reason}`, status, request_id: expect.any(String) });
      expect(head.toLowerCase()).toContain(`x-request-id: ${String(problem['request_id'])}`);
    }
  });

  it('leaves the probes, metrics and the docs as they were', async () => {
    const healthz = await send(gateway.httpUrl, 'GET', '/healthz');
    expect({ status: healthz.status, body: healthz.json }).toEqual({ status: 200, body: { status: 'ok' } });
    const readyz = await send(gateway.httpUrl, 'GET', '/readyz');
    expect({ status: readyz.status, body: readyz.json }).toEqual({ status: 200, body: { status: 'ready', grpc: 'SERVING' } });
    const metrics = await send(gateway.httpUrl, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/strata_http_requests_total\{[^}]*code="404"[^}]*\} [1-9]/);
    const docs = await send(gateway.httpUrl, 'GET', '/docs');
    expect({ status: docs.status, type: docs.headers['content-type'] }).toEqual({ status: 200, type: 'text/html; charset=utf-8' });
  });

  it('lists the edge errors in the OpenAPI document: a problem+json default on every operation, 414 where a path has parameters', async () => {
    const document = (await send(gateway.httpUrl, 'GET', '/openapi.json')).json as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { responses: Record<string, unknown> } };
    for (const [route, methods] of Object.entries(document.paths)) {
      for (const operation of Object.values(methods)) {
        expect(operation.responses['default']).toEqual({ $ref: '#/components/responses/ProblemDefault' });
        if (route.includes('{')) expect(operation.responses['414']).toEqual({ $ref: '#/components/responses/Problem414' });
      }
    }
    expect(document.components.responses['ProblemDefault']).toMatchObject({ content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
  });
});

/** What happened to the requests of one keep-alive client. */
interface ClientRecord {
  answered: number;
  /** Answers that came after SIGTERM was sent. */
  answeredAfterSigterm: number;
  /** Answers with a status other than 200. */
  notOk: string[];
  /** Requests reset or hung up on a connection the gateway had accepted: must never happen. */
  reset: string[];
  /** New connections refused after the listener closed (fine). */
  refused: number;
  /** The `connection` header of the last answer. */
  lastConnectionHeader: string | undefined;
}

type Outcome = { kind: 'answer'; status: number; connection: string | undefined } | { kind: 'error'; code: string; message: string };

function get(agent: Agent, baseUrl: string, urlPath: string): Promise<Outcome> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const outgoing = httpRequest({ host: url.hostname, port: url.port, method: 'GET', path: urlPath, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ kind: 'answer', status: response.statusCode ?? 0, connection: response.headers.connection }));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code ?? 'unknown', message: error.message }));
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code ?? 'unknown', message: error.message }));
    outgoing.end();
  });
}

/** Sends requests back to back on one keep-alive connection until a new connection is refused. */
async function keepAliveClient(record: ClientRecord, baseUrl: string, urlPath: string, sigtermSent: () => boolean): Promise<ClientRecord> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (;;) {
      const outcome = await get(agent, baseUrl, urlPath);
      if (outcome.kind === 'answer') {
        record.answered += 1;
        if (sigtermSent()) record.answeredAfterSigterm += 1;
        if (outcome.status !== 200) record.notOk.push(String(outcome.status));
        record.lastConnectionHeader = outcome.connection;
      } else if (outcome.code === 'ECONNREFUSED') {
        record.refused += 1;
        return record;
      } else {
        record.reset.push(`${outcome.code}: ${outcome.message}`);
        if (!sigtermSent()) return record;
      }
    }
  } finally {
    agent.destroy();
  }
}

describe('SIGTERM under keep-alive load', () => {
  const CLIENTS = 8;

  it('answers every request that reached it, the last one on each connection with Connection: close, and resets none', async () => {
    const gateway = await startGateway({ SHUTDOWN_GRACE: '10s' });
    let sigtermSent = false;
    const records: ClientRecord[] = Array.from({ length: CLIENTS }, () => ({ answered: 0, answeredAfterSigterm: 0, notOk: [], reset: [], refused: 0, lastConnectionHeader: undefined }));
    const clients = records.map((record) => keepAliveClient(record, gateway.httpUrl, '/v2/health/live', () => sigtermSent));
    // Mid-load: every client has been answered a few times on its kept-alive connection.
    while (records.some((record) => record.answered < 20 && record.reset.length === 0)) await new Promise<void>((resolve) => setImmediate(resolve));
    sigtermSent = true;
    const exited = gateway.stop();
    await Promise.all(clients);
    expect(await exited).toBe(0);

    const resets = records.flatMap((record) => record.reset);
    expect({ resets, notOk: records.flatMap((record) => record.notOk) }).toEqual({ resets: [], notOk: [] });
    // Each client left because its last answer said so, then found the listener closed.
    expect(records.map((record) => ({ last: record.lastConnectionHeader, refused: record.refused }))).toEqual(Array.from({ length: CLIENTS }, () => ({ last: 'close', refused: 1 })));
    for (const record of records) expect(record.answered).toBeGreaterThan(record.answeredAfterSigterm);
  });
});
