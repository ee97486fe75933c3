// The feature service (`strata.features.v1`) as promises: what the `strata` feature-store
// commands (sources, feature-sets, import, materialize, jobs, features, quarantine) call.
import { loadPackageDefinition, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { type featuresV1, PROTO_LOADER_OPTIONS, STRATA_PROTOS } from '@strata/contracts';
import { CliFailure } from './errors';
import { ExitCode } from './exit-codes';
import { type ConnectionOptions, type GenericClientConstructor, openChannel, rpcName } from './grpc-channel';

type Unary<Req, Res> = (request: Req) => Promise<Res>;

/** The feature service's unary RPCs used by the CLI, as promises. */
export interface FeatureApi {
  applySource: Unary<featuresV1.ApplySourceRequest, featuresV1.ApplySourceResponse>;
  getSource: Unary<featuresV1.GetSourceRequest, featuresV1.GetSourceResponse>;
  listSources: Unary<featuresV1.ListSourcesRequest, featuresV1.ListSourcesResponse>;
  applyFeatureSet: Unary<featuresV1.ApplyFeatureSetRequest, featuresV1.ApplyFeatureSetResponse>;
  getFeatureSet: Unary<featuresV1.GetFeatureSetRequest, featuresV1.GetFeatureSetResponse>;
  listFeatureSets: Unary<featuresV1.ListFeatureSetsRequest, featuresV1.ListFeatureSetsResponse>;
  importFile: Unary<featuresV1.ImportFileRequest, featuresV1.ImportFileResponse>;
  getJob: Unary<featuresV1.GetJobRequest, featuresV1.GetJobResponse>;
  listJobs: Unary<featuresV1.ListJobsRequest, featuresV1.ListJobsResponse>;
  cancelJob: Unary<featuresV1.CancelJobRequest, featuresV1.CancelJobResponse>;
  materialize: Unary<featuresV1.MaterializeRequest, featuresV1.MaterializeResponse>;
  listQuarantine: Unary<featuresV1.ListQuarantineRequest, featuresV1.ListQuarantineResponse>;
  replayQuarantine: Unary<featuresV1.ReplayQuarantineRequest, featuresV1.ReplayQuarantineResponse>;
  getOnlineFeatures: Unary<featuresV1.GetOnlineFeaturesRequest, featuresV1.GetOnlineFeaturesResponse>;
  getFeatureStats: Unary<featuresV1.GetFeatureStatsRequest, featuresV1.GetFeatureStatsResponse>;
  /** Closes the channel. */
  close(): void;
}

/** The unary methods of {@link FeatureApi}, in contract order. */
export const FEATURE_METHODS = [
  'applySource',
  'getSource',
  'listSources',
  'applyFeatureSet',
  'getFeatureSet',
  'listFeatureSets',
  'importFile',
  'getJob',
  'listJobs',
  'cancelJob',
  'materialize',
  'listQuarantine',
  'replayQuarantine',
  'getOnlineFeatures',
  'getFeatureStats',
] as const satisfies readonly Exclude<keyof FeatureApi, 'close'>[];

type Callback = (error: ServiceError | null, response?: unknown) => void;
type ServiceConstructor = GenericClientConstructor;

let serviceConstructor: ServiceConstructor | undefined;

function featureServiceConstructor(): ServiceConstructor {
  if (serviceConstructor === undefined) {
    const definition = loadSync(STRATA_PROTOS.featuresV1.protoPath, PROTO_LOADER_OPTIONS);
    const loaded = loadPackageDefinition(definition) as unknown as { strata: { features: { v1: { FeatureService: ServiceConstructor } } } };
    serviceConstructor = loaded.strata.features.v1.FeatureService;
  }
  return serviceConstructor;
}

/**
 * Opens a channel to feature-service at `options.address` and returns its promise API. A
 * connection failure names the service and address in the error's details, so the message
 * says which of the CLI's two services was unreachable.
 */
export function connectFeatures(options: ConnectionOptions): FeatureApi {
  const { client, metadata, deadline } = openChannel(featureServiceConstructor(), options);
  const unary = (method: string) => (request: unknown) =>
    new Promise((resolve, reject) => {
      const call = client[rpcName(method)];
      if (typeof call !== 'function') {
        reject(new Error(`FeatureService has no RPC ${rpcName(method)}`));
        return;
      }
      const callback: Callback = (error, response) => {
        if (error === null) resolve(response);
        else {
          if (error.code === status.UNAVAILABLE) error.details = `feature-service at ${options.address}: ${error.details}`;
          reject(error);
        }
      };
      call.call(client, request, metadata(), deadline(), callback);
    });

  const api: Partial<Record<keyof FeatureApi, unknown>> = {};
  for (const method of FEATURE_METHODS) api[method] = unary(method);
  return { ...(api as Omit<FeatureApi, 'close'>), close: () => client.close() };
}

/** Items asked per page when a command reads a list. */
export const FEATURE_PAGE_SIZE = 500;

/** One page of a List RPC: its items and the next page token ('' on the last page). */
export interface FeaturePage<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string;
}

/** Reads pages until the last one or until `limit` items were read. */
export async function readPages<T>(fetch: (page: { pageSize: number; pageToken: string }) => Promise<FeaturePage<T>>, limit = Infinity): Promise<T[]> {
  const items: T[] = [];
  let pageToken = '';
  do {
    const page = await fetch({ pageSize: Math.min(FEATURE_PAGE_SIZE, limit - items.length), pageToken });
    items.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== '' && items.length < limit);
  return items.slice(0, limit);
}

/** `value`, or a failure saying feature-service's answer lacked `what` (a contract violation). */
export function answered<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new CliFailure(`feature-service's answer has no ${what}`, ExitCode.Failure);
  return value;
}
