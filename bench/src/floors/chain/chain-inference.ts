// D_chain, process 2 of 3: a grpc-js server whose Predict runs one onnxruntime-node `session.run`
// of the served model, after fetching the entity's features from chain-features over one channel
// when the request is an entity row. argv: the model file, its input name, chain-features' address.
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { ORT_SESSION_OPTIONS } from '../ort-options';
import { FEATURES_SERVICE, INFERENCE_SERVICE, type PredictRequest, type PredictResponse, runMain, serveUntilDisconnect, unaryClient } from './protocol';

async function main(): Promise<void> {
  const [modelFile = '', inputName = '', featuresAddress = ''] = process.argv.slice(2);
  const session = await InferenceSession.create(modelFile, ORT_SESSION_OPTIONS);
  const getFeatures = unaryClient(featuresAddress, FEATURES_SERVICE.getFeatures);
  /** The model's input row: the tensor as sent, or [the 4 stored features, distance, UTC hour, UTC day of week]. */
  const inputOf = async (request: PredictRequest): Promise<readonly number[]> => {
    if ('tensor' in request) return request.tensor;
    const { values } = await getFeatures({ entityId: request.entityId });
    const now = new Date();
    return [...values, request.features.distance, now.getUTCHours(), now.getUTCDay()];
  };
  const predict = async (request: PredictRequest): Promise<PredictResponse> => {
    const row = Float32Array.from(await inputOf(request));
    const outputs = await session.run({ [inputName]: new Tensor('float32', row, [1, row.length]) });
    return Object.fromEntries(Object.entries(outputs).map(([name, tensor]) => [name, Array.from(tensor.data as ArrayLike<number | bigint>, Number)]));
  };
  const server = new Server();
  server.addService(INFERENCE_SERVICE, {
    predict: (call: ServerUnaryCall<PredictRequest, PredictResponse>, callback: sendUnaryData<PredictResponse>): void => {
      predict(call.request).then(
        (response) => callback(null, response),
        (error: Error) => callback({ code: status.INTERNAL, details: error.message }),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
  serveUntilDisconnect(`127.0.0.1:${port}`, async () => {
    server.forceShutdown();
    await session.release();
  });
}

runMain(main);
