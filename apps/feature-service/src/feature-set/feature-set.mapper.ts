import type { commonV1, featuresV1 } from '@strata/contracts';
import { toTimestamp } from '@strata/service-runtime';
import { fromWireValue, type ScalarType, toWireValue, toWireValueType, wireValueKind } from '../shared/scalar';
import { optionalScalarTypeOf } from '../source/source.mapper';
import type { Aggregation, FeatureSet } from './feature-set';
import type { FeatureSetFilter } from './feature-set.repository';
import type { DefaultValueDraft, FeatureSetSpecDraft } from './feature-set-spec';

const AGGREGATIONS: readonly Aggregation[] = ['count', 'sum', 'avg', 'min', 'max', 'last'];
const VALUE_KIND_TYPES: Readonly<Partial<Record<keyof commonV1.Value, ScalarType>>> = {
  doubleValue: 'DOUBLE',
  int64Value: 'INT64',
  stringValue: 'STRING',
  boolValue: 'BOOL',
  timestampValue: 'TIMESTAMP',
};

/** `AGGREGATION_AVG` -> `avg`; undefined for UNSPECIFIED or an unknown name (the validator reports it). */
export function aggregationOf(wire: string | null | undefined): Aggregation | undefined {
  const name = String(wire ?? '').replace(/^AGGREGATION_/, '').toLowerCase();
  return AGGREGATIONS.find((aggregation) => aggregation === name);
}

/** `avg` -> `AGGREGATION_AVG`. */
export function toWireAggregation(aggregation: Aggregation): featuresV1.Aggregation {
  return `AGGREGATION_${aggregation.toUpperCase()}` as featuresV1.Aggregation;
}

/** A google.protobuf.Duration in (possibly fractional) seconds; undefined when unset. */
function secondsOf(duration: { seconds: string | number; nanos: number } | null | undefined): number | undefined {
  if (duration == null) return undefined;
  return Number(duration.seconds) + (duration.nanos ?? 0) / 1e9;
}

function defaultValueOf(value: commonV1.Value | null | undefined): DefaultValueDraft | undefined {
  const kind = wireValueKind(value);
  if (kind === undefined) return undefined;
  const type = VALUE_KIND_TYPES[kind];
  return type === undefined ? { value: null } : { type, value: fromWireValue(value) };
}

/** ApplyFeatureSetRequest.spec as a draft for validation (an unset spec is an empty one). */
export function featureSetSpecDraftOf(spec: featuresV1.FeatureSetSpec | null | undefined): FeatureSetSpecDraft {
  const ttlSeconds = secondsOf(spec?.ttl);
  return {
    name: spec?.name ?? '',
    version: spec?.version ?? 0,
    ...(spec?.entity == null ? {} : { entity: { name: spec.entity.name, keyFields: [...(spec.entity.keyFields ?? [])] } }),
    ...(spec?.source == null ? {} : { source: { name: spec.source.name, version: spec.source.version } }),
    features: (spec?.features ?? []).map((feature) => {
      const type = optionalScalarTypeOf(feature.type);
      const aggregation = aggregationOf(feature.aggregation);
      const windowSeconds = secondsOf(feature.window);
      const defaultValue = defaultValueOf(feature.defaultValue);
      return {
        name: feature.name,
        ...(type === undefined ? {} : { type }),
        ...(aggregation === undefined ? {} : { aggregation }),
        field: feature.field ?? '',
        ...(windowSeconds === undefined ? {} : { windowSeconds }),
        filter: feature.filter ?? '',
        ...(defaultValue === undefined ? {} : { defaultValue }),
        description: feature.description ?? '',
      };
    }),
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
    owner: spec?.owner ?? '',
    description: spec?.description ?? '',
    tags: { ...(spec?.tags ?? {}) },
  };
}

/** ListFeatureSetsRequest filters; empty strings do not filter. */
export function featureSetFilterOf(request: featuresV1.ListFeatureSetsRequest): FeatureSetFilter {
  return {
    ...(request.name === '' ? {} : { name: request.name }),
    ...(request.owner === '' ? {} : { owner: request.owner }),
    latestOnly: request.latestOnly,
  };
}

/** A feature set version as strata.features.v1.FeatureSet. */
export function toFeatureSetMessage(featureSet: FeatureSet): featuresV1.FeatureSet {
  const { spec } = featureSet;
  return {
    spec: {
      name: spec.name,
      version: spec.version,
      entity: { name: spec.entity.name, keyFields: [...spec.entity.keyFields] },
      source: { name: spec.source.name, version: spec.source.version },
      features: spec.features.map((feature) => ({
        name: feature.name,
        type: toWireValueType(feature.type),
        aggregation: toWireAggregation(feature.aggregation),
        field: feature.field,
        ...(feature.windowSeconds === undefined ? {} : { window: { seconds: String(feature.windowSeconds), nanos: 0 } }),
        filter: feature.filter,
        ...(feature.defaultValue === undefined ? {} : { defaultValue: toWireValue(feature.defaultValue, feature.type) }),
        description: feature.description,
      })),
      ...(spec.ttlSeconds === undefined ? {} : { ttl: { seconds: String(spec.ttlSeconds), nanos: 0 } }),
      owner: spec.owner,
      description: spec.description,
      tags: { ...spec.tags },
    },
    contractDigest: featureSet.contractDigest,
    createdAt: toTimestamp(featureSet.createdAt),
    ...(featureSet.materializedUntil === undefined ? {} : { materializedUntil: toTimestamp(featureSet.materializedUntil) }),
  };
}
