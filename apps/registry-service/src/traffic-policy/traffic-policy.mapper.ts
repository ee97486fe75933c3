import type { registryV1 } from '@strata/contracts';
import type { TrafficPolicy } from './traffic-policy';

/** A request's policy; undefined when unset. */
export function trafficPolicyOf(message: registryV1.TrafficPolicy | null | undefined): TrafficPolicy | undefined {
  if (message == null) return undefined;
  return {
    splits: message.splits.map((split) => ({ alias: split.alias, percent: split.percent })),
    ...(message.shadowAlias === '' ? {} : { shadowAlias: message.shadowAlias }),
    shadowPercent: message.shadowAlias === '' ? 0 : message.shadowPercent,
  };
}

export function toTrafficPolicyMessage(policy: TrafficPolicy): registryV1.TrafficPolicy {
  return {
    splits: policy.splits.map((split) => ({ alias: split.alias, percent: split.percent })),
    shadowAlias: policy.shadowAlias ?? '',
    shadowPercent: policy.shadowPercent,
  };
}
