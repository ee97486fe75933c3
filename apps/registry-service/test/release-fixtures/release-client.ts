import { type CallOptions, type ChannelOptions, type Client, type ClientReadableStream, credentials, loadPackageDefinition, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, type registryV1, STRATA_PROTOS } from '@strata/contracts';

const DEADLINE_MS = 60_000;

type Callback<T> = (error: ServiceError | null, response?: T) => void;
type Unary<Req, Res> = (request: Req, metadata: Metadata, options: CallOptions, callback: Callback<Res>) => unknown;

/** The raw grpc-js client of the release RPCs, as @grpc/proto-loader builds it. */
type RawReleaseClient = Client & {
  setAlias: Unary<Partial<registryV1.SetAliasRequest>, registryV1.SetAliasResponse>;
  rollbackAlias: Unary<Partial<registryV1.RollbackAliasRequest>, registryV1.RollbackAliasResponse>;
  getAlias: Unary<Partial<registryV1.GetAliasRequest>, registryV1.GetAliasResponse>;
  listAliases: Unary<Partial<registryV1.ListAliasesRequest>, registryV1.ListAliasesResponse>;
  setGatePolicy: Unary<Partial<registryV1.SetGatePolicyRequest>, registryV1.SetGatePolicyResponse>;
  getGatePolicy: Unary<Partial<registryV1.GetGatePolicyRequest>, registryV1.GetGatePolicyResponse>;
  approveVersion: Unary<Partial<registryV1.ApproveVersionRequest>, registryV1.ApproveVersionResponse>;
  setTrafficPolicy: Unary<Partial<registryV1.SetTrafficPolicyRequest>, registryV1.SetTrafficPolicyResponse>;
  getTrafficPolicy: Unary<Partial<registryV1.GetTrafficPolicyRequest>, registryV1.GetTrafficPolicyResponse>;
  getAuditLog: Unary<Partial<registryV1.GetAuditLogRequest>, registryV1.GetAuditLogResponse>;
  watchReleases(request: Partial<registryV1.WatchReleasesRequest>, metadata: Metadata, options: CallOptions): ClientReadableStream<registryV1.WatchReleasesResponse>;
};

type Constructor = new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options?: ChannelOptions) => RawReleaseClient;

let constructorCache: Constructor | undefined;
function releaseClientConstructor(): Constructor {
  if (constructorCache === undefined) {
    const root = loadPackageDefinition(loadSync(STRATA_PROTOS.registryV1.protoPath, PROTO_LOADER_OPTIONS)) as unknown as { strata: { registry: { v1: { RegistryService: Constructor } } } };
    constructorCache = root.strata.registry.v1.RegistryService;
  }
  return constructorCache;
}

/** A typed test client of the release RPCs of strata.registry.v1.RegistryService over a real socket. */
export class ReleaseTestClient {
  private readonly raw: RawReleaseClient;

  constructor(
    readonly address: string,
    private readonly token?: string,
    raw?: RawReleaseClient,
  ) {
    this.raw = raw ?? new (releaseClientConstructor())(address, credentials.createInsecure());
  }

  /** A client on its own TCP connection (grpc-js otherwise shares one per target), e.g. one per simulated watcher process. */
  static withOwnConnection(address: string, token?: string): ReleaseTestClient {
    return new ReleaseTestClient(address, token, new (releaseClientConstructor())(address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
  }

  /** The same connection, calling with another token (undefined = none). */
  as(token: string | undefined): ReleaseTestClient {
    return new ReleaseTestClient(this.address, token, this.raw);
  }

  setAlias(request: Partial<registryV1.SetAliasRequest>): Promise<registryV1.SetAliasResponse> {
    return this.unary(this.raw.setAlias, { reason: 'test promotion', ...request });
  }

  rollbackAlias(request: Partial<registryV1.RollbackAliasRequest>): Promise<registryV1.RollbackAliasResponse> {
    return this.unary(this.raw.rollbackAlias, { reason: 'test rollback', ...request });
  }

  getAlias(modelName: string, alias: string): Promise<registryV1.GetAliasResponse> {
    return this.unary(this.raw.getAlias, { modelName, alias });
  }

  listAliases(modelName: string): Promise<registryV1.ListAliasesResponse> {
    return this.unary(this.raw.listAliases, { modelName });
  }

  setGatePolicy(modelName: string, alias: string, policy: Partial<registryV1.GatePolicy> | null, reason = 'test gate'): Promise<registryV1.SetGatePolicyResponse> {
    return this.unary(this.raw.setGatePolicy, { modelName, alias, policy: policy as registryV1.GatePolicy | null, reason });
  }

  getGatePolicy(modelName: string, alias: string): Promise<registryV1.GetGatePolicyResponse> {
    return this.unary(this.raw.getGatePolicy, { modelName, alias });
  }

  approveVersion(request: Partial<registryV1.ApproveVersionRequest>): Promise<registryV1.ApproveVersionResponse> {
    return this.unary(this.raw.approveVersion, { reason: 'reviewed', ...request });
  }

  setTrafficPolicy(modelName: string, policy: Partial<registryV1.TrafficPolicy> | null, reason = 'test traffic'): Promise<registryV1.SetTrafficPolicyResponse> {
    return this.unary(this.raw.setTrafficPolicy, { modelName, policy: policy as registryV1.TrafficPolicy | null, reason });
  }

  getTrafficPolicy(modelName: string): Promise<registryV1.GetTrafficPolicyResponse> {
    return this.unary(this.raw.getTrafficPolicy, { modelName });
  }

  getAuditLog(request: Partial<registryV1.GetAuditLogRequest>): Promise<registryV1.GetAuditLogResponse> {
    return this.unary(this.raw.getAuditLog, request);
  }

  /** Opens WatchReleases; see {@link Watcher}. */
  watch(request: Partial<registryV1.WatchReleasesRequest> = {}): Watcher {
    return new Watcher(this.raw.watchReleases({ fromRevision: '0', ...request }, this.metadata(), {}));
  }

  close(): void {
    this.raw.close();
  }

  private metadata(): Metadata {
    const metadata = new Metadata();
    if (this.token !== undefined) metadata.set('authorization', `Bearer ${this.token}`);
    return metadata;
  }

  private unary<Req, Res>(method: Unary<Req, Res>, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(this.raw, request, this.metadata(), { deadline: Date.now() + DEADLINE_MS }, (error, response) => (error === null ? resolve(response!) : reject(error)));
    });
  }
}

/** How a watch stream ended. */
export interface WatchEnd {
  readonly code: status;
  readonly details: string;
}

/**
 * A WatchReleases stream under test: collects every message, lets a test wait for a condition
 * on what arrived (resolved by arriving messages, never by time), and cancel.
 */
export class Watcher {
  readonly messages: registryV1.WatchReleasesResponse[] = [];
  /** How the stream ended: OK, CANCELLED (our cancel), or the server's status. */
  readonly ended: Promise<WatchEnd>;
  private readonly waits: { condition: () => boolean; resolve: () => void; reject: (error: Error) => void }[] = [];
  private end: WatchEnd | undefined;

  constructor(private readonly call: ClientReadableStream<registryV1.WatchReleasesResponse>) {
    this.ended = new Promise((resolve) => {
      call.on('data', (message: registryV1.WatchReleasesResponse) => {
        this.messages.push(message);
        this.settle();
      });
      call.on('error', (error: ServiceError) => this.finish({ code: error.code, details: error.details }, resolve));
      call.on('end', () => this.finish({ code: status.OK, details: '' }, resolve));
    });
  }

  /** The events received, in order. */
  events(): registryV1.ReleaseEvent[] {
    return this.messages.flatMap((message) => (message.event == null ? [] : [message.event]));
  }

  snapshots(): registryV1.ReleaseSnapshot[] {
    return this.messages.flatMap((message) => (message.snapshot == null ? [] : [message.snapshot]));
  }

  /** The last revision processed: of the last event, else of the snapshot. */
  lastRevision(): string {
    const last = this.events().at(-1)?.revision ?? this.snapshots().at(-1)?.revision;
    if (last === undefined) throw new Error('nothing received yet');
    return last;
  }

  /** Resolves once `condition` holds on the messages received; rejects if the stream ends first. */
  until(condition: (watcher: this) => boolean): Promise<void> {
    if (condition(this)) return Promise.resolve();
    if (this.end !== undefined) return Promise.reject(new Error(`the stream ended (${status[this.end.code]}: ${this.end.details}) before the condition held`));
    return new Promise((resolve, reject) => this.waits.push({ condition: () => condition(this), resolve, reject }));
  }

  /** Resolves once an event with revision >= `revision` arrived. */
  untilRevision(revision: bigint | string): Promise<void> {
    const target = BigInt(revision);
    return this.until((watcher) => watcher.events().some((event) => BigInt(event.revision) >= target));
  }

  cancel(): void {
    this.call.cancel();
  }

  private settle(): void {
    for (const wait of [...this.waits]) {
      if (wait.condition()) {
        this.waits.splice(this.waits.indexOf(wait), 1);
        wait.resolve();
      }
    }
  }

  private finish(end: WatchEnd, resolve: (end: WatchEnd) => void): void {
    if (this.end !== undefined) return;
    this.end = end;
    for (const wait of this.waits.splice(0)) wait.reject(new Error(`the stream ended (${status[end.code]}: ${end.details}) before the condition held`));
    resolve(end);
  }
}
