import { createHash } from 'node:crypto';
import { InvalidArgumentError } from './errors/service-errors';

/** Page size when the request asks for none (strata.common.v1.PageRequest). */
export const DEFAULT_PAGE_SIZE = 50;
/** Larger page sizes are clamped to this (strata.common.v1.PageRequest). */
export const MAX_PAGE_SIZE = 1000;

/** A page of a list, in order, and the token for the next one ('' = last page). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string;
}

/** Paging as the caller asked for it. */
export interface PageRequest {
  readonly pageSize: number;
  readonly pageToken: string;
}

/** What a page token carries: the sort key of the last item returned, and the query it belongs to. */
interface PageTokenContent<K> {
  readonly after: K;
  readonly query: string;
}

/** The page size to use: the default for 0, clamped to the maximum; negative is INVALID_ARGUMENT. */
export function pageSizeOf(request: PageRequest): number {
  if (!Number.isInteger(request.pageSize) || request.pageSize < 0) {
    throw new InvalidArgumentError('page_size must not be negative', [{ field: 'page.page_size', description: `must be >= 0, got ${request.pageSize}` }]);
  }
  return request.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
}

/**
 * Opaque tokens for keyset paging: the token names the last item's sort key and a
 * fingerprint of the query, so a token reused with different filters is refused.
 */
export class PageTokens<K extends string | number> {
  constructor(private readonly isKey: (value: unknown) => value is K) {}

  /** The token to resume after `lastKey` for `query` (any JSON describing the filters). */
  encode(lastKey: K, query: unknown): string {
    const content: PageTokenContent<K> = { after: lastKey, query: fingerprint(query) };
    return Buffer.from(JSON.stringify(content), 'utf8').toString('base64url');
  }

  /** The key to resume after, or undefined for the first page; INVALID_ARGUMENT for a token not made for `query`. */
  decode(token: string, query: unknown): K | undefined {
    if (token === '') return undefined;
    const invalid = (description: string) => new InvalidArgumentError('invalid page_token', [{ field: 'page.page_token', description }]);
    let content: Partial<PageTokenContent<unknown>>;
    try {
      content = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<PageTokenContent<unknown>>;
    } catch {
      throw invalid('not a token returned by this list');
    }
    if (typeof content !== 'object' || content === null || !this.isKey(content.after)) throw invalid('not a token returned by this list');
    if (content.query !== fingerprint(query)) throw invalid('the token belongs to a request with different filters');
    return content.after;
  }
}

/** Keeps the first `pageSize` items and makes a token when there were more (callers fetch pageSize + 1). */
export function pageOf<T, K extends string | number>(rows: readonly T[], pageSize: number, keyOf: (row: T) => K, tokens: PageTokens<K>, query: unknown): Page<T> {
  const items = rows.slice(0, pageSize);
  const last = items.at(-1);
  if (rows.length <= pageSize || last === undefined) return { items, nextPageToken: '' };
  return { items, nextPageToken: tokens.encode(keyOf(last), query) };
}

function fingerprint(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query ?? null)).digest('base64url').slice(0, 16);
}
