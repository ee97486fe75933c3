// The echo servers of the D_grpc and D_http floors, each run as its own process (forked by
// floors/index.ts): `grpc` is a grpc-js unary echo of raw bytes, `http` a Fastify POST route
// answering its JSON body, on the Fastify the gateway's HTTP API runs on. The process reports
// its address over IPC and exits when the runner disconnects.
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import Fastify from 'fastify';
import { ECHO_SERVICE } from './echo-service';

export type EchoKind = 'grpc' | 'http';

async function startGrpc(): Promise<{ address: string; close: () => Promise<void> }> {
  const server = new Server();
  server.addService(ECHO_SERVICE, { echo: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => callback(null, call.request) });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  return { address: `127.0.0.1:${port}`, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

async function startHttp(): Promise<{ address: string; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  app.post('/echo', async (request) => request.body);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { address, close: () => app.close() };
}

async function main(): Promise<void> {
  const kind = process.argv[2] as EchoKind;
  const server = kind === 'grpc' ? await startGrpc() : kind === 'http' ? await startHttp() : undefined;
  if (server === undefined) throw new Error(`echo-server: unknown kind ${String(kind)} (grpc or http)`);
  process.once('disconnect', () => {
    void server.close().finally(() => process.exit(0));
  });
  process.send?.({ address: server.address });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
