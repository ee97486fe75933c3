import { type TrafficPolicy } from '../releases/release-state';

/** Buckets a routing key falls into: 10,000, so a split's percent has two decimals of resolution. */
export const TRAFFIC_BUCKETS = 10_000;

/** The alias a policy without splits sends everything to. */
export const DEFAULT_ALIAS = 'production';

// Shadow sampling hashes the key with this prefix, so it is independent of the split's bucket:
// without it, a 10% canary and a 10% shadow would pick exactly the same requests.
const SHADOW_SALT = 'shadow\u0000';

/**
 * The bucket (0..9999) of a routing key: FNV-1a 32-bit over the key's UTF-8 bytes, then
 * MurmurHash3's fmix32 finalizer so that keys differing only in their last characters
 * (`req-1`, `req-2`, …) spread over all buckets. Fast (no crypto), stable across processes
 * and releases — changing it would move sticky keys between versions.
 */
export function trafficBucket(key: string): number {
  return fnv1aMixed(key) % TRAFFIC_BUCKETS;
}

/**
 * The alias that serves a request, chosen deterministically from its routing key (the
 * caller passes the request ID when the request has no routing key), so a retried request
 * reaches the same version. Splits take `percent × 100` buckets each, in order; buckets left
 * over when the percents add up to less than 100 go to the first split. No splits: `production`.
 */
export function chooseAlias(policy: TrafficPolicy, routingKey: string): string {
  const [first] = policy.splits;
  if (first === undefined) return DEFAULT_ALIAS;
  const bucket = trafficBucket(routingKey);
  let upper = 0;
  for (const split of policy.splits) {
    upper += bucketsOf(split.percent);
    if (bucket < upper) return split.alias;
  }
  return first.alias;
}

/**
 * Whether a copy of this request goes to `policy.shadowAlias`: sampled at `shadowPercent`
 * from a salted hash of the routing key, so it is sticky per key but uncorrelated with the
 * split (each alias's requests are shadowed at about the same rate).
 */
export function shouldShadow(policy: TrafficPolicy, routingKey: string): boolean {
  if (policy.shadowAlias === undefined || policy.shadowAlias === '') return false;
  const buckets = bucketsOf(policy.shadowPercent ?? 0);
  return buckets > 0 && trafficBucket(SHADOW_SALT + routingKey) < buckets;
}

function bucketsOf(percent: number): number {
  if (!Number.isFinite(percent) || percent <= 0) return 0;
  return Math.min(TRAFFIC_BUCKETS, Math.round(percent * (TRAFFIC_BUCKETS / 100)));
}

const encoder = new TextEncoder();

function fnv1aMixed(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
