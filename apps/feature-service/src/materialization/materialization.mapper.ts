import type { featuresV1 } from '@strata/contracts';
import { fromTimestamp } from '@strata/service-runtime';
import type { MaterializeRequest } from './materialization.service';

/** A MaterializeRequest message in domain terms. */
export function materializeRequestOf(request: featuresV1.MaterializeRequest): MaterializeRequest {
  return {
    featureSet: { name: request.featureSet?.name ?? '', version: request.featureSet?.version ?? 0 },
    start: fromTimestamp(request.start),
    end: fromTimestamp(request.end),
    offlineOnly: request.offlineOnly === true,
  };
}
