// D_chain, process 3 of 3: Fastify (the gateway's HTTP stack) answering the platform's two
// single-row REST requests, each by one Predict to chain-inference over one grpc-js channel.
// argv: chain-inference's address. No validation, no metrics: it is the floor.
import Fastify from 'fastify';
import { INFERENCE_SERVICE, runMain, serveUntilDisconnect, unaryClient } from './protocol';

/** The platform's REST entity-row body (`POST /v1/models/{m}:predict`). */
interface RowsBody {
  readonly rows: readonly { readonly entity_id: string; readonly features: { readonly distance: number } }[];
}
/** The Open Inference Protocol body (`POST /v2/models/{m}/infer`), one FP32 tensor. */
interface InferBody {
  readonly inputs: readonly { readonly name: string; readonly data: readonly number[] }[];
}

async function main(): Promise<void> {
  const predict = unaryClient(process.argv[2] ?? '', INFERENCE_SERVICE.predict);
  const app = Fastify({ logger: false });
  app.post<{ Body: RowsBody }>('/v1/models/:name/predict', async (request) => {
    const row = request.body.rows[0];
    return { predictions: [await predict({ entityId: row?.entity_id ?? '', features: { distance: row?.features.distance ?? 0 } })] };
  });
  app.post<{ Body: InferBody; Params: { name: string } }>('/v2/models/:name/infer', async (request) => {
    const outputs = await predict({ tensor: request.body.inputs[0]?.data ?? [] });
    return { model_name: request.params.name, outputs: Object.entries(outputs).map(([name, data]) => ({ name, shape: [1, data.length], data })) };
  });
  serveUntilDisconnect(await app.listen({ host: '127.0.0.1', port: 0 }), () => app.close());
}

runMain(main);
