import { status as grpcStatus } from '@grpc/grpc-js';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { formatModelVersionHeader } from '@strata/contracts';
import { getRequestContext, newRequestId, setFeatureContractVersion, setModelVersion } from '@strata/observability';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, UnavailableError } from '@strata/service-runtime';
import { INFERENCE_CONFIG, type InferenceConfig } from '../config/inference.config';
import { type AssembledFeatures, type AssemblyRow, FeatureAssembler, type FeatureContract, type FeatureDegradation, FreshFeaturesRequiredError, RowInputError } from '../features';
import { type InferenceTensor, InvalidInputError, type LoadedModel, type ModelLease, type ModelSignature, ModelUnavailableError, type ServedModel } from '../model-runtime';
import { type PairedRun, ShadowMirror, TrafficComparisons } from '../comparison';
import { chooseAlias, shouldShadow } from '../routing/traffic-router';
import { archivedVersionError, ModelCatalog } from './model-catalog';
import { featureContractLabel } from './response-metadata';
import { VersionLoader } from './version-loader';
import { MODEL_NOT_READY_RETRY_MS } from './model-not-ready';
import { VersionPins } from './version-pins';

/** A prediction request in domain terms. */
export interface PredictionRequest {
  readonly modelName: string;
  /** An exact version (> 0), an alias, or neither (the traffic policy decides). */
  readonly version?: number;
  readonly alias?: string;
  readonly inputs: Readonly<Record<string, InferenceTensor>>;
  readonly routingKey: string;
  /** Output names to return; empty = all. */
  readonly outputNames: readonly string[];
  /** Entity IDs and caller-supplied features, assembled into inputs through the version's bindings. */
  readonly rows: readonly AssemblyRow[];
  /** Fail instead of degrading when a stored feature is not PRESENT. */
  readonly strictFeatures: boolean;
  /** Staleness limit for fetched features (overrides the TTL). */
  readonly maxFeatureStalenessMs?: number;
  /** The feature set version the caller expects; must be the one the version was trained with. */
  readonly featureSet?: { readonly name: string; readonly version: number };
}

/** No degradation: every input was supplied or present and fresh. */
export const NO_DEGRADATION: FeatureDegradation = { featuresStale: false, featuresDefaulted: false, featuresMissing: false, featureFetchFailed: false, issues: [] };

/** Server-side timings, in microseconds. */
export interface PredictionTimings {
  readonly featureFetchUs: number;
  readonly queueUs: number;
  readonly inferenceUs: number;
  readonly totalUs: number;
}

/** What was served. */
export interface Prediction {
  readonly modelName: string;
  readonly version: number;
  /** Empty when the request named an exact version. */
  readonly alias: string;
  readonly outputs: Readonly<Record<string, InferenceTensor>>;
  /** The traffic policy's alias had no loaded version, so `production` answered. */
  readonly versionFallback: boolean;
  /** Feature contracts the online features were fetched with (empty when none were). */
  readonly featureContracts: readonly FeatureContract[];
  readonly degradation: FeatureDegradation;
  readonly timings: PredictionTimings;
}

/** The version a request runs on, held for the request. */
interface Selection {
  readonly lease: ModelLease;
  /** Empty for an exact version. */
  readonly alias: string;
  readonly fallback: boolean;
  /** Chosen by the traffic policy (counts for the live canary/shadow statistics). */
  readonly routed: boolean;
  readonly routingKey: string;
}

const FALLBACK_ALIAS = 'production';
/** Most prediction rows in one request (as the contract says). */
const MAX_ROWS = 1000;
const PIN_LOAD_TIMEOUT_MS = 30_000;
/** Shadow/canary comparison copies running at once; more are dropped (and counted), never queued. */
const SHADOW_MAX_IN_FLIGHT = 4;
const SHADOW_TIMEOUT_MS = 5_000;

/**
 * Runs a prediction on the version the request selects: an exact version (an alias's, or
 * loaded on demand within the memory budget), an alias, or the model's traffic policy,
 * deterministic by routing key (the request ID when none is given, so a retried request reaches
 * the same version).
 */
@Injectable()
export class PredictionService implements OnModuleDestroy {
  private readonly pins: VersionPins;
  /** Live/shadow/canary statistics per model, for GetModelStatus. */
  // Records of a version the alias no longer serves (requests in flight across a swap) are
  // dropped before they reach the book (see isCurrent), so the book follows every move at once.
  readonly comparisons = new TrafficComparisons({ staleVersionGraceMs: 0 });
  private readonly mirror = new ShadowMirror({ maxInFlight: SHADOW_MAX_IN_FLIGHT, timeoutMs: SHADOW_TIMEOUT_MS });

  constructor(
    private readonly catalog: ModelCatalog,
    versions: VersionLoader,
    private readonly assembler: FeatureAssembler,
    @Inject(INFERENCE_CONFIG) config: Pick<InferenceConfig, 'modelMemoryBudgetMb'>,
  ) {
    this.pins = new VersionPins({
      budgetBytes: config.modelMemoryBudgetMb * 1024 * 1024,
      aliasBytes: () => catalog.aliasBytes(),
      load: (modelName, version) => versions.load(modelName, version, undefined, AbortSignal.timeout(PIN_LOAD_TIMEOUT_MS)),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.mirror.drain();
    await this.pins.close();
  }

  /** Shadow copies mirrored, dropped (mirror full) and failed since start. */
  shadowCounters(): ShadowMirror['counters'] {
    return this.mirror.counters;
  }

  /** Pinned (non-alias) versions of a model, for status. */
  pinnedVersions(modelName: string): ReturnType<VersionPins['status']> {
    return this.pins.status(modelName);
  }

  /**
   * The signature of an exact version (loaded on demand like a pinned request) or, without one,
   * of the version `alias` serves.
   *
   * @throws NotFoundError / UnavailableError as {@link predict} would.
   */
  async signatureOf(modelName: string, selector: { version: number } | { alias: string }): Promise<ModelSignature> {
    const served = this.catalog.find(modelName);
    if (served === undefined) throw new NotFoundError(`model ${modelName} is not released to this service`);
    const lease = 'version' in selector ? await this.leaseVersion(served, selector.version) : leaseAlias(served, selector.alias);
    try {
      return lease.model.signature;
    } finally {
      lease.release();
    }
  }

  async predict(request: PredictionRequest): Promise<Prediction> {
    const started = performance.now();
    const served = this.catalog.find(request.modelName);
    if (served === undefined) throw new NotFoundError(`model ${request.modelName} is not released to this service`);
    const selection = await this.select(served, request);
    const { model } = selection.lease;
    // From here on the request's context (its trace, the feature fetch's metadata) names the version chosen.
    setModelVersion(formatModelVersionHeader({ model: model.modelName, version: model.version }), model.modelName);
    let ok = false;
    try {
      const features = await this.featuresFor(model, request);
      const inputs = features === undefined ? request.inputs : { ...request.inputs, ...features.inputs };
      const run = await model.predictTimed(inputs);
      ok = true;
      if (selection.routed) this.compareLater(served, selection, inputs, { alias: selection.alias, version: model.version, outputs: run.outputs, latencyUs: micros(run.queueMs + run.inferenceMs) });
      return {
        modelName: model.modelName,
        version: model.version,
        alias: selection.alias,
        outputs: pick(run.outputs, request.outputNames),
        versionFallback: selection.fallback,
        featureContracts: features?.contracts ?? [],
        degradation: features?.degradation ?? NO_DEGRADATION,
        timings: { featureFetchUs: micros(features?.featureFetchMs ?? 0), queueUs: micros(run.queueMs), inferenceUs: micros(run.inferenceMs), totalUs: micros(performance.now() - started) },
      };
    } catch (error) {
      if (error instanceof InvalidInputError) throw new InvalidArgumentError(error.message, [{ field: `inputs[${error.field}]`, description: error.message }]);
      if (error instanceof RowInputError) throw new InvalidArgumentError(error.message, [{ field: error.field, description: error.message }]);
      if (error instanceof FreshFeaturesRequiredError) {
        throw new FailedPreconditionError(error.message, error.violations.map((violation) => ({ type: violation.status === 'FETCH_FAILED' ? 'FEATURE_FETCH_FAILED' : `FEATURE_${violation.status}`, subject: `${violation.entityId}/${violation.feature}`, description: `${violation.feature} of ${violation.entityId} is ${violation.status}` })));
      }
      if (error instanceof ModelUnavailableError) throw new UnavailableError(`${request.modelName} version ${model.version} was unloaded meanwhile; retry`, MODEL_NOT_READY_RETRY_MS);
      throw error;
    } finally {
      if (selection.routed && isCurrent(served, selection.alias, model.version)) this.comparisons.recordLive(model.modelName, selection.alias, model.version, micros(performance.now() - started), ok);
      selection.lease.release();
    }
  }

  /**
   * After the live response: a copy of the request for the policy's shadow alias, and for a
   * canary request the same inputs on production — run asynchronously, bounded, never able
   * to change or slow the live answer; the pair feeds the comparison statistics.
   */
  private compareLater(served: ServedModel, selection: Selection, inputs: Readonly<Record<string, InferenceTensor>>, live: { alias: string; version: number; outputs: Record<string, InferenceTensor>; latencyUs: number }): void {
    if (!isCurrent(served, live.alias, live.version)) return;
    const policy = this.catalog.policyOf(served.modelName);
    const shadow = policy.shadowAlias;
    if (shadow !== undefined && shadow !== live.alias && served.isLoaded(shadow) && shouldShadow(policy, selection.routingKey)) {
      this.mirrorOn(served, shadow, inputs, (candidate) => this.comparisons.recordPair(served.modelName, live, { kind: 'shadow', ...candidate }));
    }
    if (live.alias !== FALLBACK_ALIAS && served.isLoaded(FALLBACK_ALIAS)) {
      this.mirrorOn(served, FALLBACK_ALIAS, inputs, (production) => {
        if ('outputs' in production) this.comparisons.recordPair(served.modelName, production, { kind: 'canary', ...live });
      });
    }
  }

  private mirrorOn(served: ServedModel, alias: string, inputs: Readonly<Record<string, InferenceTensor>>, record: (run: PairedRun) => void): void {
    let version = 0;
    this.mirror.mirror(
      async () => {
        const lease = served.lease(alias);
        version = lease.model.version;
        try {
          return (await lease.model.predictTimed(inputs)).outputs;
        } finally {
          lease.release();
        }
      },
      (outcome, latencyUs) => {
        if (version === 0 || !isCurrent(served, alias, version)) return;
        record(outcome.ok ? { alias, version, outputs: outcome.outputs, latencyUs } : { alias, version, error: outcome.error, latencyUs });
      },
    );
  }

  /**
   * The inputs the version's bindings build from the request's rows (online features fetched
   * within the deadline), after checking the request against the version's contract.
   */
  private async featuresFor(model: LoadedModel, request: PredictionRequest): Promise<AssembledFeatures | undefined> {
    const plan = this.catalog.detailsOf(model)?.plan;
    if (plan === undefined || plan.tensorsOnly) {
      if (request.rows.length > 0) throw new InvalidArgumentError(`${model.modelName} version ${model.version} has no input bindings: pass its inputs as tensors`, [{ field: 'rows', description: 'the model takes tensors only' }]);
      return undefined;
    }
    if (request.featureSet !== undefined) {
      const trained = plan.featureSets.find((set) => set.contract.name === request.featureSet?.name);
      if (trained?.contract.version !== request.featureSet.version) {
        throw new FailedPreconditionError(`${model.modelName} version ${model.version} serves feature set ${request.featureSet.name} ${trained === undefined ? 'not at all' : `version ${trained.contract.version}`}, not version ${request.featureSet.version}`, [
          { type: 'FEATURE_CONTRACT', subject: `${request.featureSet.name}:${request.featureSet.version}`, description: 'the feature set version the model was trained with must be used' },
        ]);
      }
    }
    if (request.rows.length === 0) {
      const missing = plan.inputs.map((input) => input.input).filter((input) => request.inputs[input] === undefined);
      if (missing.length === 0) return undefined;
      throw new InvalidArgumentError(`input ${missing.join(', ')} is assembled from rows: send rows (entity IDs and request-time features) or the tensor itself`, [{ field: 'rows', description: `needed for ${missing.join(', ')}` }]);
    }
    const both = plan.inputs.map((input) => input.input).filter((input) => request.inputs[input] !== undefined);
    if (both.length > 0) throw new InvalidArgumentError(`input ${both.join(', ')} is sent as a tensor and also assembled from rows; send one`, [{ field: `inputs[${both[0]}]`, description: 'also assembled from rows' }]);
    if (request.rows.length > MAX_ROWS) throw new InvalidArgumentError(`rows has ${request.rows.length} entries; at most ${MAX_ROWS}`, [{ field: 'rows', description: `at most ${MAX_ROWS}` }]);
    // Like the model version: the feature fetch's span and metadata name the contracts from its start.
    const contracts = plan.featureSets.map(({ contract }) => featureContractLabel(contract));
    if (contracts.length > 0) setFeatureContractVersion(contracts.join(','));
    return this.assembler.assemble(plan, request.rows, {
      strict: request.strictFeatures,
      requiresFresh: this.catalog.detailsOf(model)?.requiresFreshFeatures === true,
      ...(request.maxFeatureStalenessMs === undefined ? {} : { maxStalenessMs: request.maxFeatureStalenessMs }),
    });
  }

  private async select(served: ServedModel, request: PredictionRequest): Promise<Selection> {
    const routingKey = request.routingKey !== '' ? request.routingKey : (getRequestContext().requestId ?? newRequestId());
    if (request.version !== undefined) return { lease: await this.leaseVersion(served, request.version), alias: '', fallback: false, routed: false, routingKey };
    if (request.alias !== undefined) {
      if (!served.status().some((status) => status.alias === request.alias)) throw new NotFoundError(`${request.modelName} has no alias "${request.alias}" on this service`);
      return { lease: leaseAlias(served, request.alias), alias: request.alias, fallback: false, routed: false, routingKey };
    }
    const alias = chooseAlias(this.catalog.policyOf(request.modelName), routingKey);
    if (alias !== FALLBACK_ALIAS && !served.isLoaded(alias) && served.isLoaded(FALLBACK_ALIAS)) {
      return { lease: leaseAlias(served, FALLBACK_ALIAS), alias: FALLBACK_ALIAS, fallback: true, routed: true, routingKey };
    }
    return { lease: leaseAlias(served, alias), alias, fallback: false, routed: true, routingKey };
  }

  /** An alias's version when one serves it, else a pinned version loaded on demand; never an ARCHIVED one. */
  private async leaseVersion(served: ServedModel, version: number): Promise<ModelLease> {
    if (this.catalog.isArchived(served.modelName, version)) {
      this.pins.drop(served.modelName, version);
      throw archivedVersionError(served.modelName, version);
    }
    for (const status of served.status()) {
      if (status.version !== version) continue;
      try {
        const lease = served.lease(status.alias);
        if (lease.model.version === version) return lease;
        lease.release();
      } catch (error) {
        if (!(error instanceof ModelUnavailableError)) throw error;
      }
    }
    try {
      return await this.pins.lease(served.modelName, version);
    } catch (error) {
      if (codeOf(error) === grpcStatus.NOT_FOUND) throw new NotFoundError(`${served.modelName} has no version ${version} in the registry`);
      if (error instanceof FailedPreconditionError) throw error;
      // The registry refuses the artifact of an ARCHIVED version (archived between GetVersion and the download).
      if (codeOf(error) === grpcStatus.FAILED_PRECONDITION) {
        this.catalog.markArchived(served.modelName, version);
        throw archivedVersionError(served.modelName, version);
      }
      if (error instanceof UnavailableError) throw error;
      throw new UnavailableError(`${served.modelName} version ${version} could not be loaded: ${error instanceof Error ? error.message : String(error)}`, MODEL_NOT_READY_RETRY_MS);
    }
  }
}

/** True while `alias` still serves `version` (a request that straddled a swap is not counted). */
function isCurrent(served: ServedModel, alias: string, version: number): boolean {
  return served.status().some((status) => status.alias === alias && status.version === version);
}

function leaseAlias(served: ServedModel, alias: string): ModelLease {
  try {
    return served.lease(alias);
  } catch (error) {
    if (error instanceof ModelUnavailableError) throw new UnavailableError(`${served.modelName}@${alias} has no loaded version yet; retry with backoff`, MODEL_NOT_READY_RETRY_MS);
    throw error;
  }
}

function codeOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number' ? error.code : undefined;
}

function micros(ms: number): number {
  return Math.min(4_294_967_295, Math.max(0, Math.round(ms * 1000)));
}

function pick(outputs: Readonly<Record<string, InferenceTensor>>, names: readonly string[]): Record<string, InferenceTensor> {
  if (names.length === 0) return { ...outputs };
  const picked: Record<string, InferenceTensor> = {};
  for (const name of names) {
    const tensor = outputs[name];
    if (tensor === undefined) throw new InvalidArgumentError(`unknown output "${name}"`, [{ field: 'output_names', description: `the model has outputs ${Object.keys(outputs).join(', ')}` }]);
    picked[name] = tensor;
  }
  return picked;
}
