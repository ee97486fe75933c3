import type { featuresV1 } from '@strata/contracts';
import { durationToMs, fromTimestamp, toTimestamp } from '@strata/service-runtime';
import type { ServedValue } from '../evaluation/feature-status';
import type { FeatureDef } from '../feature-set/feature-set';
import { toWireValue } from '../shared/scalar';
import type { OnlineFeatures, OnlineFeaturesRequest } from './online-features.service';

/** A GetOnlineFeaturesRequest message in domain terms. */
export function onlineFeaturesRequestOf(request: featuresV1.GetOnlineFeaturesRequest): OnlineFeaturesRequest {
  const maxStalenessMs = durationToMs(request.maxStaleness, 'max_staleness');
  return {
    featureSet: { name: request.featureSet?.name ?? '', version: request.featureSet?.version ?? 0 },
    entityIds: request.entityIds ?? [],
    asOf: fromTimestamp(request.asOf),
    maxStalenessSeconds: maxStalenessMs === undefined ? undefined : maxStalenessMs / 1000,
    features: request.features ?? [],
  };
}

/** Served features as a GetOnlineFeaturesResponse message. */
export function toOnlineFeaturesResponse(served: OnlineFeatures): featuresV1.GetOnlineFeaturesResponse {
  return {
    contract: { featureSet: { name: served.featureSet.spec.name, version: served.featureSet.spec.version }, digest: served.featureSet.contractDigest },
    entities: served.entities.map(({ entityId, values }) => ({ entityId, features: values.map((value, index) => toFeatureValueMessage(served.features[index] as FeatureDef, value)) })),
    asOf: toTimestamp(served.asOf),
    valuesAsOf: served.valuesAsOf === undefined ? null : toTimestamp(served.valuesAsOf),
  };
}

function toFeatureValueMessage(feature: FeatureDef, served: ServedValue): featuresV1.FeatureValue {
  return {
    name: feature.name,
    value: toWireValue(served.value, feature.type, served.nullReason ?? 'MISSING'),
    status: `FEATURE_STATUS_${served.status}` as featuresV1.FeatureValue['status'],
    eventTime: served.eventTime === undefined ? null : toTimestamp(served.eventTime),
  };
}
