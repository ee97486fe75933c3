import { getRequestContext, requestContextHeaders } from './request-context';
import type { RequestContext } from './request-context-keys';

/** A Fastify reply (`header`), or a Node/Express response (`setHeader`). */
export type HttpResponseLike = { header(name: string, value: string): unknown } | { setHeader(name: string, value: string): unknown; headersSent?: boolean };

/**
 * Sets `x-request-id` and the known `strata-*` headers of `values` (default: the current
 * request context) on an HTTP response. Does nothing once a Node response has been sent.
 */
export function setRequestContextHeaders(response: HttpResponseLike, values: RequestContext = getRequestContext()): void {
  for (const [name, value] of Object.entries(requestContextHeaders(values))) {
    if ('header' in response) {
      response.header(name, value);
    } else if (!response.headersSent) {
      response.setHeader(name, value);
    }
  }
}
