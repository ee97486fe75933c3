export { decodeExportRequest, type DecodedExport, encodeExportResponse, type OtlpEncoding, OtlpDecodeError } from './otlp/otlp-codec';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_OTLP_HTTP_PORT, OtlpTraceReceiver, type OtlpTraceReceiverOptions, type ReceiverAddress } from './otlp-trace-receiver';
export { renderTrace, type RenderTraceOptions } from './render-trace';
export { DEFAULT_MAX_SPANS, SpanStore } from './span-store';
export {
  CollectorResponseError,
  CollectorUnreachableError,
  type CollectorQueryOptions,
  DEFAULT_COLLECTOR_URL,
  fetchRecentRequests,
  fetchTrace,
  waitForTrace,
  type WaitForTraceOptions,
} from './trace-client';
export {
  compareSpanStart,
  type RequestSummary,
  type SpanAttributeValue,
  type SpanKindName,
  type SpanStatusCode,
  STRATA_SPAN_ATTRIBUTES,
  type TraceQueryResult,
  type TraceSpan,
} from './trace-span';
