import { type ModelSignature } from '../model-runtime';
import { type VersionMetadata } from '../releases/model-registry';
import {
  type FeatureCallOptions,
  type FeatureScalar,
  type FeatureSetContract,
  type FeatureSetRef,
  FeatureStore,
  FeatureStoreError,
  type OnlineFeatureStatus,
  type OnlineFeaturesRequest,
  type OnlineFeaturesResult,
} from './feature-store';

/** Test fixtures: a route_stats-like contract, a version bound to it, and a scripted feature store. */
export const ROUTE_DIGEST = `sha256:${'ab'.repeat(32)}`;

export function aRouteStatsContract(overrides: Partial<FeatureSetContract> = {}): FeatureSetContract {
  return {
    name: 'route_stats',
    version: 1,
    digest: ROUTE_DIGEST,
    features: [
      { name: 'flights_7d', type: 'INT64', defaultValue: 0 },
      { name: 'avg_delay_7d', type: 'DOUBLE', defaultValue: null },
      { name: 'avg_distance', type: 'DOUBLE', defaultValue: null },
      { name: 'is_hub', type: 'BOOL', defaultValue: false },
      { name: 'carrier', type: 'STRING', defaultValue: null },
    ],
    ...overrides,
  };
}

/** flight-delay:3 with `features` FP32 [batch, 5] = route_stats.flights_7d, .avg_delay_7d, .avg_distance, distance, hour_of_day. */
export function aVersionMetadata(overrides: Partial<VersionMetadata> = {}): VersionMetadata {
  return {
    modelName: 'flight-delay',
    version: 3,
    inputBindings: [{ input: 'features', features: ['route_stats.flights_7d', 'route_stats.avg_delay_7d', 'route_stats.avg_distance', 'distance', 'hour_of_day'] }],
    featureContracts: [{ name: 'route_stats', version: 1, digest: ROUTE_DIGEST }],
    tags: {},
    ...overrides,
  };
}

export function aSignature(width = 5, datatype: 'FP32' | 'FP64' | 'INT64' = 'FP32'): ModelSignature {
  return {
    inputs: [{ name: 'features', datatype, shape: [-1, width], unknownRank: false }],
    outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1, 1], unknownRank: false }],
  };
}

export function contractsOf(...contracts: FeatureSetContract[]): ReadonlyMap<string, FeatureSetContract> {
  return new Map(contracts.map((contract) => [contract.name, contract]));
}

type Served = { value: FeatureScalar; status: OnlineFeatureStatus };

/**
 * A feature store that serves scripted values per entity (unknown entities: the contract's
 * default as DEFAULTED, or MISSING), records its requests, and can fail or hang on demand.
 */
export class FakeFeatureStore extends FeatureStore {
  readonly requests: OnlineFeaturesRequest[] = [];
  readonly deadlines: number[] = [];
  readonly values = new Map<string, Record<string, Served>>();
  mode: 'serve' | 'fail' | 'hang' = 'serve';
  private readonly aborted: AbortSignal[] = [];

  constructor(private readonly contract: FeatureSetContract = aRouteStatsContract()) {
    super();
  }

  /** Signals of hung calls that were aborted by the caller. */
  get cancelledCalls(): number {
    return this.aborted.filter((signal) => signal.aborted).length;
  }

  getFeatureSet(ref: FeatureSetRef): Promise<FeatureSetContract> {
    if (ref.name !== this.contract.name) return Promise.reject(new FeatureStoreError('NOT_FOUND', `no feature set ${ref.name}`));
    return Promise.resolve(this.contract);
  }

  getOnlineFeatures(request: OnlineFeaturesRequest, options: FeatureCallOptions): Promise<OnlineFeaturesResult> {
    this.requests.push(request);
    this.deadlines.push(options.deadlineMs);
    if (this.mode === 'fail') return Promise.reject(new FeatureStoreError('UNAVAILABLE', 'connection refused'));
    if (this.mode === 'hang') {
      if (options.signal !== undefined) this.aborted.push(options.signal);
      return new Promise(() => undefined);
    }
    const wanted = request.features === undefined || request.features.length === 0 ? this.contract.features.map((feature) => feature.name) : request.features;
    return Promise.resolve({
      contract: { name: this.contract.name, version: this.contract.version, digest: this.contract.digest },
      entities: request.entityIds.map((entityId) => ({
        entityId,
        features: wanted.map((name) => {
          const scripted = this.values.get(entityId)?.[name];
          if (scripted !== undefined) return { name, ...scripted };
          const fallback = this.contract.features.find((feature) => feature.name === name)?.defaultValue ?? null;
          return fallback === null ? { name, value: null, status: 'MISSING' as const } : { name, value: fallback, status: 'DEFAULTED' as const };
        }),
      })),
    });
  }
}
