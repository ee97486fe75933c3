import { type Client, Metadata } from '@grpc/grpc-js';
import type { featuresV1, gatewayV1, inferenceV1, registryV1, trainingV1 } from '@strata/contracts';
import { createStrataClient } from '@strata/service-runtime';

/** Where the five services listen (gRPC `host:port`) and the gateway's HTTP base URL. */
export interface PlatformAddresses {
  readonly featureService: string;
  readonly trainingRunner: string;
  readonly registry: string;
  readonly inference: string;
  readonly gatewayGrpc: string;
  /** e.g. `http://127.0.0.1:8080` */
  readonly gatewayHttp: string;
}

/** The admin credentials the pipeline acts with (the local platform's admin token). */
export interface PlatformCredentials {
  /** Bearer token with the `admin` role in REGISTRY_TOKENS. */
  readonly registryToken: string;
  /** Bearer token with the `admin` role in GATEWAY_ADMIN_TOKENS. */
  readonly gatewayAdminToken: string;
}

type Callback<Res> = (error: Error | null, response?: Res) => void;
type RawUnary = (request: unknown, metadata: Metadata, options: { deadline: number }, callback: Callback<unknown>) => void;
type RawStream = (request: unknown, metadata: Metadata) => AsyncIterable<unknown> & { cancel(): void };

const DEFAULT_TIMEOUT_MS = 30_000;

/** One service's client: unary calls as promises, server streams as async iterables. */
export class ServiceClient {
  constructor(
    private readonly client: Client,
    private readonly token?: string,
  ) {}

  call<Res>(method: string, request: object, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Res> {
    const fn = (this.client as unknown as Record<string, RawUnary | undefined>)[method];
    if (typeof fn !== 'function') throw new Error(`no RPC ${method}`);
    return new Promise((resolve, reject) => {
      fn.call(this.client, request, this.metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
        if (error !== null) reject(error);
        else resolve(response as Res);
      });
    });
  }

  stream<Res>(method: string, request: object): AsyncIterable<Res> & { cancel(): void } {
    const fn = (this.client as unknown as Record<string, RawStream | undefined>)[method];
    if (typeof fn !== 'function') throw new Error(`no RPC ${method}`);
    return fn.call(this.client, request, this.metadata()) as AsyncIterable<Res> & { cancel(): void };
  }

  close(): void {
    this.client.close();
  }

  private metadata(): Metadata {
    const metadata = new Metadata();
    if (this.token !== undefined) metadata.set('authorization', `Bearer ${this.token}`);
    return metadata;
  }
}

/** Clients of every service the quickstart drives, over their v1 contracts. */
export class PlatformClients {
  readonly features: ServiceClient;
  readonly training: ServiceClient;
  readonly registry: ServiceClient;
  readonly inference: ServiceClient;
  readonly gatewayAdmin: ServiceClient;

  constructor(
    readonly addresses: PlatformAddresses,
    credentials: PlatformCredentials,
  ) {
    this.features = new ServiceClient(createStrataClient('featuresV1', 'FeatureService', addresses.featureService));
    this.training = new ServiceClient(createStrataClient('trainingV1', 'TrainingService', addresses.trainingRunner));
    this.registry = new ServiceClient(createStrataClient('registryV1', 'RegistryService', addresses.registry), credentials.registryToken);
    this.inference = new ServiceClient(createStrataClient('inferenceV1', 'InferenceService', addresses.inference));
    this.gatewayAdmin = new ServiceClient(createStrataClient('gatewayV1', 'ApiKeyAdminService', addresses.gatewayGrpc), credentials.gatewayAdminToken);
  }

  close(): void {
    for (const client of [this.features, this.training, this.registry, this.inference, this.gatewayAdmin]) client.close();
  }
}

/** The contract types the pipeline reads, re-exported for its callers. */
export type { featuresV1, gatewayV1, inferenceV1, registryV1, trainingV1 };
