import { randomFillSync } from 'node:crypto';

import { acceptContextValue } from '@strata/observability';

/** Longest accepted `x-request-id` (strata.common.v1: 1-128 printable ASCII characters). */
export const MAX_REQUEST_ID_LENGTH = 128;

/** The outcome of {@link acceptRequestId}: the ID to use, or why the caller's value is refused (answer 400). */
export type RequestIdResult = { readonly id: string } | { readonly invalid: string };

/**
 * The request ID of a request from its `x-request-id` header: the caller's value when it is
 * 1-128 printable ASCII characters without spaces (the rule of strata.common.v1 and of
 * `acceptContextValue` in @strata/observability), a new {@link newRequestId} when the header
 * is absent, otherwise the reason it is refused. A header sent more than once is refused.
 */
export function acceptRequestId(value: string | readonly string[] | undefined): RequestIdResult {
  if (value === undefined) return { id: newRequestId() };
  if (typeof value !== 'string') return value.length === 1 ? acceptRequestId(value[0]) : { invalid: `x-request-id was sent ${value.length} times; send it once` };
  const accepted = acceptContextValue(value);
  if (accepted !== undefined) return { id: accepted };
  if (value.length === 0) return { invalid: 'x-request-id is empty; send 1-128 printable ASCII characters or omit it' };
  if (value.length > MAX_REQUEST_ID_LENGTH) return { invalid: `x-request-id has ${value.length} characters; at most ${MAX_REQUEST_ID_LENGTH} are allowed` };
  const index = [...value].findIndex((char) => char < '\x21' || char > '\x7e');
  return { invalid: `x-request-id character ${index} is not printable ASCII (spaces and control characters are not allowed)` };
}

/**
 * A new request ID: a UUIDv7 (RFC 9562; 48-bit Unix milliseconds, then random bits), as
 * strata.common.v1 specifies for IDs the gateway assigns. Time-ordered, so logs sort by it.
 *
 * @param nowMs Unix time in milliseconds (the wall clock by default).
 * @param random fills its argument with random bytes (crypto by default).
 */
export function newRequestId(nowMs: number = Date.now(), random: (bytes: Uint8Array) => void = randomFillSync): string {
  const bytes = new Uint8Array(16);
  random(bytes);
  let time = Math.max(0, Math.floor(nowMs));
  for (let index = 5; index >= 0; index -= 1) {
    bytes[index] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = 0x70 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
