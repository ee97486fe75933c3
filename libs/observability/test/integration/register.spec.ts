import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileForNode, type NodeBuild } from '../fixtures/compile-for-node';
import { REGISTER_SCENARIO_RESULT_MARKER, type RegisterScenarioResult } from '../fixtures/register-scenario-result';

interface CollectorRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

/** A fake OTLP/HTTP collector that records what it receives. */
async function startCollector(): Promise<{ server: Server; url: string; requests: CollectorRequest[] }> {
  const requests: CollectorRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ method: request.method, url: request.url, contentType: request.headers['content-type'], body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, requests, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function parseResult(stdout: string): RegisterScenarioResult {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(REGISTER_SCENARIO_RESULT_MARKER));
  if (line === undefined) throw new Error(`the scenario printed no result:\n${stdout}`);
  return JSON.parse(line.slice(REGISTER_SCENARIO_RESULT_MARKER.length)) as RegisterScenarioResult;
}

describe("'@strata/observability/register' as the first import of a main.ts", () => {
  let build: NodeBuild | undefined;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let result: RegisterScenarioResult;

  beforeAll(async () => {
    build = await compileForNode();
    collector = await startCollector();
    const env: NodeJS.ProcessEnv = { ...process.env, STRATA_SERVICE_NAME: 'register-probe', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url };
    delete env['OTEL_SERVICE_NAME'];
    delete env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
    result = parseResult(await build.run('register-scenario', [], env));
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => collector?.server.close(resolve));
    await build?.remove();
  });

  it('patches @grpc/grpc-js and http required after it', () => {
    expect(result).toMatchObject({ grpcPatched: true, httpPatched: true });
  });

  it('names the service from STRATA_SERVICE_NAME', () => {
    expect(result.serviceName).toBe('register-probe');
  });

  it('exports spans as OTLP protobuf over HTTP when an endpoint is set, flushed by shutdown()', () => {
    const exports = collector.requests.filter((request) => request.url === '/v1/traces');
    expect(exports.map(({ method, contentType }) => ({ method, contentType }))).toEqual([{ method: 'POST', contentType: 'application/x-protobuf' }]);
    const body = exports[0]!.body;
    expect(body.includes(Buffer.from('register-probe'))).toBe(true);
    expect(body.includes(Buffer.from(result.traceId, 'hex'))).toBe(true);
  });
});
