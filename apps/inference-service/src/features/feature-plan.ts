import { type ModelSignature } from '../model-runtime';
import { type VersionMetadata } from '../releases/model-registry';
import { type FeatureContract, type FeatureSetContract, type FeatureValueType } from './feature-store';

/** Request-time features the service derives from the request time (UTC) when the caller does not supply them, as training derives them from the event time. */
export const DERIVED_FEATURES = ['hour_of_day', 'day_of_week'] as const;

/** A feature derived from the request time. */
export type DerivedFeature = (typeof DERIVED_FEATURES)[number];

/** A column read from the online store (`<set>.<feature>`), or overridden by the caller. */
export interface StoredColumn {
  readonly kind: 'stored';
  /** `<feature_set>.<feature>`. */
  readonly qualifiedName: string;
  readonly featureSet: string;
  readonly feature: string;
  readonly type: FeatureValueType;
  /** The contract's default as a number (BOOL → 1/0); null = no default (NaN and features_missing). */
  readonly defaultValue: number | null;
}

/** A column the caller supplies with each row (derived from the request time when it is hour_of_day or day_of_week). */
export interface RequestColumn {
  readonly kind: 'request';
  readonly name: string;
  readonly derived?: DerivedFeature;
}

/** One column of a bound input. */
export type FeatureColumn = StoredColumn | RequestColumn;

/** A model input assembled from features: one row per prediction row, one column per feature, in order. */
export interface BoundInput {
  readonly input: string;
  readonly datatype: 'FP32' | 'FP64';
  readonly columns: readonly FeatureColumn[];
}

/** One feature set the plan reads: its pinned contract and the (unqualified) features used from it, in declared order. */
export interface PlannedFeatureSet {
  readonly contract: FeatureContract;
  readonly features: readonly string[];
}

/** How a model version's inputs are built from features; `tensorsOnly` when the version has no input bindings. */
export interface FeaturePlan {
  readonly tensorsOnly: boolean;
  readonly inputs: readonly BoundInput[];
  /** Signature inputs no binding covers: the caller passes them as tensors. */
  readonly unboundInputs: readonly string[];
  readonly featureSets: readonly PlannedFeatureSet[];
  /** Plain names the caller may (or must) supply per row. */
  readonly requestFeatures: readonly string[];
  /** Qualified names fetched online (a caller value overrides them). */
  readonly storedFeatures: readonly string[];
}

/** Input bindings that do not fit the model's signature or its lineage contracts. */
export class FeaturePlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeaturePlanError';
  }
}

/**
 * Builds the feature plan of one model version.
 *
 * @param contracts the feature set contracts fetched at load, keyed by feature set name (one
 *   version per name, as the lineage pins it).
 * @throws {@link FeaturePlanError} when a binding names an unknown input, an input that is not
 *   FP32/FP64 of rank 2 (or whose fixed width differs from the number of features), a feature set
 *   missing from the lineage or from `contracts`, a contract whose version or digest differs from
 *   the lineage's, a feature not in its contract, or a STRING/TIMESTAMP feature.
 */
export function buildFeaturePlan(metadata: VersionMetadata, signature: ModelSignature, contracts: ReadonlyMap<string, FeatureSetContract>): FeaturePlan {
  const model = `${metadata.modelName}:${metadata.version}`;
  if (metadata.inputBindings.length === 0) {
    return { tensorsOnly: true, inputs: [], unboundInputs: signature.inputs.map((spec) => spec.name), featureSets: [], requestFeatures: [], storedFeatures: [] };
  }
  const lineage = new Map(metadata.featureContracts.map((contract) => [contract.name, contract]));
  const used = new Map<string, Set<string>>();
  const requestFeatures = new Set<string>();
  const storedFeatures = new Set<string>();
  const bound = new Set<string>();

  const inputs = metadata.inputBindings.map((binding, index): BoundInput => {
    const where = `${model} input_bindings[${index}] (input "${binding.input}")`;
    const spec = signature.inputs.find((candidate) => candidate.name === binding.input);
    if (spec === undefined) throw new FeaturePlanError(`${where}: the model has no input "${binding.input}"; its inputs are ${names(signature.inputs.map((input) => input.name))}`);
    if (bound.has(binding.input)) throw new FeaturePlanError(`${where}: input "${binding.input}" is bound twice`);
    bound.add(binding.input);
    if (spec.datatype !== 'FP32' && spec.datatype !== 'FP64') throw new FeaturePlanError(`${where}: a feature-bound input must be FP32 or FP64, the model declares ${spec.datatype}`);
    if (binding.features.length === 0) throw new FeaturePlanError(`${where}: the binding lists no features`);
    if (!spec.unknownRank) {
      if (spec.shape.length !== 2) throw new FeaturePlanError(`${where}: a feature-bound input must have rank 2 [rows, features], the model declares rank ${spec.shape.length}`);
      const width = spec.shape[1] as number;
      if (width >= 0 && width !== binding.features.length) throw new FeaturePlanError(`${where}: the model expects ${width} columns, the binding lists ${binding.features.length} features`);
    }
    const columns = binding.features.map((name, column): FeatureColumn => {
      const at = `${where} features[${column}] "${name}"`;
      const parts = name.split('.');
      if (name === '') throw new FeaturePlanError(`${at}: a feature name is empty`);
      if (parts.length === 1) {
        requestFeatures.add(name);
        const derived = DERIVED_FEATURES.find((candidate) => candidate === name);
        return derived === undefined ? { kind: 'request', name } : { kind: 'request', name, derived };
      }
      const [setName, featureName] = parts as [string, string];
      if (parts.length !== 2 || setName === '' || featureName === '') throw new FeaturePlanError(`${at}: expected a plain name or "<feature_set>.<feature>"`);
      const pinned = lineage.get(setName);
      if (pinned === undefined) throw new FeaturePlanError(`${at}: feature set "${setName}" is not among the version's lineage feature contracts (${names([...lineage.keys()])})`);
      const contract = contracts.get(setName);
      if (contract === undefined) throw new FeaturePlanError(`${at}: no contract was loaded for feature set "${setName}"`);
      if (contract.version !== pinned.version) throw new FeaturePlanError(`${at}: the lineage pins ${setName}:${pinned.version}, the loaded contract is ${setName}:${contract.version}`);
      if (pinned.digest !== '' && pinned.digest !== contract.digest) {
        throw new FeaturePlanError(`${at}: the model was trained against ${setName}:${pinned.version}@${pinned.digest}, the feature-service serves digest ${contract.digest}`);
      }
      const feature = contract.features.find((candidate) => candidate.name === featureName);
      if (feature === undefined) throw new FeaturePlanError(`${at}: feature set ${setName}:${contract.version} has no feature "${featureName}"; it has ${names(contract.features.map((f) => f.name))}`);
      if (feature.type === 'STRING' || feature.type === 'TIMESTAMP') throw new FeaturePlanError(`${at}: the feature is ${feature.type}; a float input takes DOUBLE, INT64 and BOOL features`);
      const features = used.get(setName) ?? new Set<string>();
      features.add(featureName);
      used.set(setName, features);
      storedFeatures.add(name);
      return { kind: 'stored', qualifiedName: name, featureSet: setName, feature: featureName, type: feature.type, defaultValue: numericDefault(feature.defaultValue) };
    });
    return { input: binding.input, datatype: spec.datatype, columns };
  });

  const featureSets = [...used].map(([setName, features]): PlannedFeatureSet => {
    const contract = contracts.get(setName) as FeatureSetContract;
    return {
      contract: { name: contract.name, version: contract.version, digest: contract.digest },
      features: contract.features.filter((feature) => features.has(feature.name)).map((feature) => feature.name),
    };
  });
  return {
    tensorsOnly: false,
    inputs,
    unboundInputs: signature.inputs.filter((spec) => !bound.has(spec.name)).map((spec) => spec.name),
    featureSets,
    requestFeatures: [...requestFeatures],
    storedFeatures: [...storedFeatures],
  };
}

function numericDefault(value: number | boolean | string | null): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

function names(list: readonly string[]): string {
  return list.length === 0 ? 'none' : list.map((name) => `"${name}"`).join(', ');
}
