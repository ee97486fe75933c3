// What the three D_chain processes say to each other: two unary gRPC methods whose messages are
// JSON bytes (no protobuf, as the D_grpc echo), and how a chain process reports its address.
import { Client, credentials, type MethodDefinition, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';

/** chain-features: the stored features of one entity (a primary-key SELECT). */
export interface FeaturesRequest {
  readonly entityId: string;
}
export interface FeaturesResponse {
  readonly values: readonly number[];
}

/** chain-inference: an entity row (features fetched from chain-features) or a ready tensor. */
export type PredictRequest = { readonly entityId: string; readonly features: { readonly distance: number } } | { readonly tensor: readonly number[] };
/** The model's outputs by name, flattened. */
export type PredictResponse = Record<string, number[]>;

function jsonMethod<Req, Res>(path: string, originalName: string): MethodDefinition<Req, Res> {
  const serialize = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: serialize,
    requestDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as Req,
    responseSerialize: serialize,
    responseDeserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as Res,
    originalName,
  };
}

export const FEATURES_SERVICE = { getFeatures: jsonMethod<FeaturesRequest, FeaturesResponse>('/strata.bench.ChainFeatures/GetFeatures', 'GetFeatures') } satisfies ServiceDefinition;
export const INFERENCE_SERVICE = { predict: jsonMethod<PredictRequest, PredictResponse>('/strata.bench.ChainInference/Predict', 'Predict') } satisfies ServiceDefinition;

/** One grpc-js channel to `address` and a promise-returning call of `method` over it. */
export function unaryClient<Req, Res>(address: string, method: MethodDefinition<Req, Res>): (request: Req) => Promise<Res> {
  const client = new Client(address, credentials.createInsecure());
  return (request) =>
    new Promise((resolve, reject) => {
      client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, (error: ServiceError | null, response?: Res) =>
        error === null && response !== undefined ? resolve(response) : reject(error ?? new Error('no response')),
      );
    });
}

/** Reports the address to the runner (startServerProcess) and exits when it disconnects. */
export function serveUntilDisconnect(address: string, close: () => Promise<unknown>): void {
  process.once('disconnect', () => {
    void close().finally(() => process.exit(0));
  });
  process.send?.({ address });
}

/** A chain process's `main`: any start failure is printed and exits non-zero (the runner reports it). */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
