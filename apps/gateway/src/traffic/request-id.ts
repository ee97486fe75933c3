import { acceptContextValue, newRequestId } from '@strata/observability';

/** A new request ID (UUIDv7), the same every Strata service assigns. */
export { newRequestId };

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
