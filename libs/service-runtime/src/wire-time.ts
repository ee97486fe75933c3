import { InvalidArgumentError } from './errors/service-errors';
import type { googleProtobuf } from '@strata/contracts';

// Instant text read strictly (an impossible date is refused, not rolled over into the next
// month), for domain code, which does not import @strata/contracts itself.
export { impossibleInstantText, parseInstantText } from '@strata/contracts';

/** A Date as google.protobuf.Timestamp (proto-loader shape). */
export function toTimestamp(date: Date): googleProtobuf.Timestamp {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** A google.protobuf.Timestamp as a Date (millisecond precision); undefined when unset. */
export function fromTimestamp(timestamp: googleProtobuf.Timestamp | null | undefined): Date | undefined {
  if (timestamp == null) return undefined;
  return new Date(Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1_000_000));
}

/** A google.protobuf.Duration in milliseconds; undefined when unset. INVALID_ARGUMENT when seconds is not a number. */
export function durationToMs(duration: googleProtobuf.Duration | null | undefined, field: string): number | undefined {
  if (duration == null) return undefined;
  const seconds = Number(duration.seconds);
  if (!Number.isFinite(seconds)) throw new InvalidArgumentError(`${field} is not a duration`, [{ field, description: `seconds "${duration.seconds}" is not a number` }]);
  return seconds * 1000 + Math.trunc(duration.nanos / 1_000_000);
}

/** Milliseconds as google.protobuf.Duration. */
export function msToDuration(ms: number): googleProtobuf.Duration {
  const seconds = Math.trunc(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}
