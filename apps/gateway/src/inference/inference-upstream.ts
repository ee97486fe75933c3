import { type Client, type ClientUnaryCall, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { METADATA_KEYS } from '@strata/contracts';
import { createStrataClient, STATUS_DETAILS_KEY, UnavailableError, UpstreamError } from '@strata/service-runtime';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** The two contracts the gateway forwards to inference-service. */
export type UpstreamService = 'strata' | 'oip';

/** What a forwarded call needs besides its request. */
export interface ForwardOptions {
  /** Absolute deadline, ms since the epoch. */
  readonly deadline: number;
  readonly requestId: string;
}

/** A forwarded call's answer and the response metadata the gateway passes on. */
export interface Forwarded<T> {
  readonly response: T;
  /** `strata-model-version` / `strata-feature-contract` of the answer, when inference sent them. */
  readonly modelVersion?: string;
  readonly featureContract?: string;
}

/**
 * Reconnect quickly after inference restarts (grpc-js backs off up to minutes by default, and
 * every call fails at once during the backoff), so traffic recovers within a second.
 */
const CHANNEL_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 500 };

type RawUnary = (request: unknown, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response?: unknown) => void) => ClientUnaryCall;

/**
 * The gateway's one dependency on the request path: inference-service at INFERENCE_ADDRESS,
 * over strata.inference.v1 and the Open Inference Protocol. Each call carries the request ID and
 * the caller's deadline; a failure comes back as the status inference answered with (details
 * included), and an unreachable inference as UNAVAILABLE.
 */
@Injectable()
export class InferenceUpstream implements OnModuleDestroy {
  private clients: Partial<Record<UpstreamService, Client>> = {};

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: Pick<GatewayConfig, 'inferenceAddress'>) {}

  onModuleDestroy(): void {
    for (const client of Object.values(this.clients)) client.close();
    this.clients = {};
  }

  /**
   * Calls `method` (the proto's method name, e.g. `Predict`, `ModelInfer`) of inference.
   *
   * @throws UpstreamError with inference's status and details, or UnavailableError when no
   * address is configured or inference cannot be reached.
   */
  call<T>(service: UpstreamService, method: string, request: object, options: ForwardOptions): Promise<Forwarded<T>> {
    const client = this.client(service);
    const unary = (client as unknown as Record<string, RawUnary | undefined>)[method];
    if (unary === undefined) throw new Error(`inference has no method ${method}`);
    const metadata = new Metadata();
    metadata.set(METADATA_KEYS.requestId, options.requestId);
    return new Promise((resolve, reject) => {
      let headers: Metadata | undefined;
      const call = unary.call(client, request, metadata, { deadline: options.deadline }, (error, response) => {
        if (error !== null) reject(upstreamErrorOf(error));
        else resolve({ response: response as T, ...headerValues(headers) });
      });
      call.on('metadata', (received: Metadata) => (headers = received));
    });
  }

  private client(service: UpstreamService): Client {
    const address = this.config.inferenceAddress;
    if (address === undefined || address === '') throw new UnavailableError('the gateway has no INFERENCE_ADDRESS: predictions cannot be served');
    let client = this.clients[service];
    if (client === undefined) {
      client = service === 'strata' ? createStrataClient('inferenceV1', 'InferenceService', address, CHANNEL_OPTIONS) : createStrataClient('oipV1', 'GRPCInferenceService', address, CHANNEL_OPTIONS);
      this.clients[service] = client;
    }
    return client;
  }
}

function headerValues(headers: Metadata | undefined): { modelVersion?: string; featureContract?: string } {
  const first = (key: string): string | undefined => {
    const value = headers?.get(key)[0];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const modelVersion = first(METADATA_KEYS.modelVersion);
  const featureContract = first(METADATA_KEYS.featureContract);
  return { ...(modelVersion === undefined ? {} : { modelVersion }), ...(featureContract === undefined ? {} : { featureContract }) };
}

/** grpc-js's own UNAVAILABLE (no connection, connection dropped), as opposed to inference answering UNAVAILABLE. */
export function isTransportFailure(error: ServiceError): boolean {
  return error.code === status.UNAVAILABLE && /no connection established|connection dropped|ECONNREFUSED|ECONNRESET|failed to connect|Connection closed/i.test(error.details ?? '');
}

/** A failure of inference-service as a whole (unreachable, or too slow to answer in time). */
export class InferenceDownError extends UnavailableError {
  readonly inferenceDown = true;
}

/** inference's failure as the gateway's answer: same status and details; an unreachable inference as UNAVAILABLE. */
export function upstreamErrorOf(error: ServiceError): UpstreamError | InferenceDownError {
  if (isTransportFailure(error)) return new InferenceDownError(`inference-service is unreachable (${error.details}); retry shortly`, 250);
  const details = error.metadata?.get(STATUS_DETAILS_KEY)[0];
  return new UpstreamError(error.code, error.details, Buffer.isBuffer(details) ? details : undefined);
}
