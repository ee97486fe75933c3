import { type GrpcObject, loadPackageDefinition, Server, ServerCredentials, type ServerUnaryCall, type ServiceClientConstructor, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { type featuresV1, PROTO_LOADER_OPTIONS, STRATA_PROTOS } from '@strata/contracts';

/** One feature set version the double knows. */
export interface FeatureSetRow {
  readonly name: string;
  readonly version: number;
  readonly contractDigest: string;
  /** Unset = never materialized. */
  readonly materializedUntil?: Date;
}

/**
 * TEST DOUBLE of feature-service, over a real gRPC socket: a grpc-js server implementing only
 * strata.features.v1.FeatureService/GetFeatureSet, answered from an in-memory table (the real
 * feature-service does not implement GetFeatureSet yet). Unknown versions are NOT_FOUND; every
 * other RPC is UNIMPLEMENTED. It records the requests and their x-request-id metadata.
 */
export class FeatureServiceDouble {
  readonly requests: { featureSet: string; requestId: string | undefined }[] = [];
  private readonly rows = new Map<string, FeatureSetRow>();

  private constructor(
    private readonly server: Server,
    readonly address: string,
  ) {}

  static async start(): Promise<FeatureServiceDouble> {
    const definition = loadSync(STRATA_PROTOS.featuresV1.protoPath, PROTO_LOADER_OPTIONS);
    const features = ((loadPackageDefinition(definition)['strata'] as GrpcObject)['features'] as GrpcObject)['v1'] as GrpcObject;
    const server = new Server();
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
    });
    const double = new FeatureServiceDouble(server, `127.0.0.1:${port}`);
    server.addService((features['FeatureService'] as ServiceClientConstructor).service, {
      GetFeatureSet: (call: ServerUnaryCall<featuresV1.GetFeatureSetRequest, featuresV1.GetFeatureSetResponse>, callback: (error: { code: status; details: string } | null, response?: featuresV1.GetFeatureSetResponse) => void) => {
        const ref = call.request.featureSet;
        const key = `${ref?.name ?? ''}:${ref?.version ?? 0}`;
        const [requestId] = call.metadata.get('x-request-id');
        double.requests.push({ featureSet: key, requestId: typeof requestId === 'string' ? requestId : undefined });
        const row = double.rows.get(key);
        if (row === undefined) {
          callback({ code: status.NOT_FOUND, details: `feature set ${key} not found` });
          return;
        }
        callback(null, { featureSet: toFeatureSet(row) });
      },
    });
    return double;
  }

  /** Adds or replaces a feature set version. */
  put(row: FeatureSetRow): this {
    this.rows.set(`${row.name}:${row.version}`, row);
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }
}

function toFeatureSet(row: FeatureSetRow): featuresV1.FeatureSet {
  const ms = row.materializedUntil?.getTime();
  return {
    spec: { name: row.name, version: row.version } as featuresV1.FeatureSetSpec,
    contractDigest: row.contractDigest,
    createdAt: { seconds: '1', nanos: 0 },
    materializedUntil: ms === undefined ? null : { seconds: String(Math.floor(ms / 1000)), nanos: 0 },
  };
}
