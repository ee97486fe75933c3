import { type Client, type ClientUnaryCall, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { METADATA_KEYS } from '@strata/contracts';
import { createStrataClient, MAX_MESSAGE_BYTES, ResourceExhaustedError, STATUS_DETAILS_KEY, UnavailableError, UpstreamError } from '@strata/service-runtime';
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
 * every call fails at once during the backoff), so traffic recovers within a second. Accept any
 * answer inference may send (its limit, not grpc-js's 4 MiB client default): a message over the
 * limit is then always refused by inference, so its status says which way it went.
 */
const CHANNEL_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 500, 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES };

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

/**
 * A message over the gRPC size limit on the inference hop: the request (inference refused to
 * read it: "Received message larger than max") or inference's answer (it refused to send it:
 * "Sent message larger than max"). grpc-js reports both as RESOURCE_EXHAUSTED, which is not a
 * rate limit: the same request fails the same way every time. gRPC callers get
 * RESOURCE_EXHAUSTED without google.rpc.RetryInfo (gRPC's own code for a message over a size
 * limit, as the gateway's server answers an oversized call itself); REST callers get 413 for
 * the request, 502 for the answer, never 429.
 */
export class MessageTooLargeError extends ResourceExhaustedError {
  constructor(
    /** Which message was too large. */
    readonly direction: 'request' | 'response',
    /** Its encoded size and the limit, in bytes, as grpc-js reported them. */
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      direction === 'request'
        ? `the request is too large for the inference hop: ${sizeBytes} bytes as a gRPC message, at most ${limitBytes}; send fewer rows or smaller tensors (do not retry it as is)`
        : `inference's answer is too large: ${sizeBytes} bytes as a gRPC message, at most ${limitBytes}; send fewer rows or ask for fewer outputs (do not retry it as is)`,
    );
  }
}

// grpc-js: "Received message larger than max (N vs M)", "Sent message larger than max (N vs. M)".
const TOO_LARGE = /\b(Received|Sent) message larger than max \((\d+) vs\.? (\d+)\)/i;

/** A RESOURCE_EXHAUSTED that is grpc-js refusing an oversized message, as a {@link MessageTooLargeError}. */
export function messageTooLargeOf(error: Pick<ServiceError, 'code' | 'details'>): MessageTooLargeError | undefined {
  if (error.code !== status.RESOURCE_EXHAUSTED) return undefined;
  const match = TOO_LARGE.exec(error.details ?? '');
  if (match === null) return undefined;
  return new MessageTooLargeError(match[1]?.toLowerCase() === 'received' ? 'request' : 'response', Number(match[2]), Number(match[3]));
}

/** inference's failure as the gateway's answer: same status and details; an unreachable inference as UNAVAILABLE. */
export function upstreamErrorOf(error: ServiceError): UpstreamError | InferenceDownError | MessageTooLargeError {
  if (isTransportFailure(error)) return new InferenceDownError(`inference-service is unreachable (${error.details}); retry shortly`, 250);
  const tooLarge = messageTooLargeOf(error);
  if (tooLarge !== undefined) return tooLarge;
  const details = error.metadata?.get(STATUS_DETAILS_KEY)[0];
  return new UpstreamError(error.code, error.details, Buffer.isBuffer(details) ? details : undefined);
}
