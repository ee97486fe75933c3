import { compareSpanStart, nanosBetweenMs, STRATA_SPAN_ATTRIBUTES, type TraceSpan } from './trace-span';

/** Options of {@link renderTrace}. */
export interface RenderTraceOptions {
  /** ANSI colours (for a terminal). Default false. */
  readonly colour?: boolean;
  /** The request ID asked for, shown in the header (default: the first `strata.request_id` of the trace). */
  readonly requestId?: string;
}

/** Longest label (tree, service and span name) before durations; longer labels push their line's columns right. */
const MAX_LABEL_WIDTH = 96;

const ANSI = { red: '31', cyan: '36', dim: '2', bold: '1' } as const;

interface Node {
  readonly span: TraceSpan;
  readonly children: Node[];
  /** The parent span ID when that span was not received. */
  readonly missingParent?: string;
}

interface Line {
  readonly label: string;
  /** Label with colour codes (same text). */
  readonly styledLabel: string;
  readonly rest: string;
}

/** Groups spans by trace, traces ordered by their earliest span. */
function byTrace(spans: readonly TraceSpan[]): TraceSpan[][] {
  const traces = new Map<string, TraceSpan[]>();
  for (const span of [...spans].sort(compareSpanStart)) {
    const trace = traces.get(span.traceId);
    if (trace === undefined) traces.set(span.traceId, [span]);
    else trace.push(span);
  }
  return [...traces.values()];
}

/** The roots of a trace's span tree: spans without a parent, then spans whose parent was not received. */
function treeOf(spans: readonly TraceSpan[]): Node[] {
  const nodes = new Map<string, Node>();
  const ids = new Set(spans.map((span) => span.spanId));
  for (const span of spans) {
    const missingParent = span.parentSpanId !== undefined && !ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    nodes.set(span.spanId, { span, children: [], ...(missingParent === undefined ? {} : { missingParent }) });
  }
  const roots: Node[] = [];
  // spans arrive sorted by start, so children lists are too
  for (const node of nodes.values()) {
    const parent = node.span.parentSpanId === undefined ? undefined : nodes.get(node.span.parentSpanId);
    if (parent === undefined || parent === node) roots.push(node);
    else parent.children.push(node);
  }
  return roots.sort((a, b) => (a.missingParent === undefined) === (b.missingParent === undefined) ? compareSpanStart(a.span, b.span) : a.missingParent === undefined ? -1 : 1);
}

function formatMs(ms: number): string {
  return ms.toFixed(2);
}

/** The Strata request-context attributes of a span, as `key=value` words. */
function strataAttributes(span: TraceSpan): string[] {
  const attribute = (key: string): string | undefined => {
    const value = span.attributes[key];
    return value === undefined || value === '' ? undefined : String(value);
  };
  const words: string[] = [];
  const requestId = attribute(STRATA_SPAN_ATTRIBUTES.requestId);
  const model = attribute(STRATA_SPAN_ATTRIBUTES.modelName);
  const version = attribute(STRATA_SPAN_ATTRIBUTES.modelVersion);
  const contract = attribute(STRATA_SPAN_ATTRIBUTES.featureContractVersion);
  if (requestId !== undefined) words.push(`request_id=${requestId}`);
  // Services record the version as `<model>:<version>` (strata-model-version): then it says it all.
  if (model !== undefined && version?.startsWith(`${model}:`) !== true) words.push(`model=${model}${version === undefined ? '' : `@${version}`}`);
  else if (version !== undefined) words.push(`model_version=${version}`);
  if (contract !== undefined) words.push(`feature_contract=${contract}`);
  return words;
}

/**
 * One or more traces as text: per trace a header (trace ID, request ID, total duration,
 * services and span count) and the span tree, children ordered by start. Each span line shows
 * the service, span name and kind, duration, offset from the trace's start, the Strata
 * request-context attributes it carries and `ERROR` with the status message when it failed.
 * Spans whose parent was not received are shown at the top level, marked.
 */
export function renderTrace(spans: readonly TraceSpan[], options: RenderTraceOptions = {}): string {
  if (spans.length === 0) return '(no spans)\n';
  const style = (code: string, text: string): string => (options.colour === true ? `\u001b[${code}m${text}\u001b[0m` : text);
  return byTrace(spans)
    .map((trace) => renderOne(trace, options.requestId, style))
    .join('\n');
}

function renderOne(trace: readonly TraceSpan[], askedRequestId: string | undefined, style: (code: string, text: string) => string): string {
  const [first] = trace;
  if (first === undefined) return '';
  const start = first.startTimeUnixNano;
  let end = BigInt(first.endTimeUnixNano);
  for (const span of trace) if (BigInt(span.endTimeUnixNano) > end) end = BigInt(span.endTimeUnixNano);
  const services = [...new Set(trace.map((span) => span.serviceName))];
  const requestId = askedRequestId ?? trace.map((span) => span.attributes[STRATA_SPAN_ATTRIBUTES.requestId]).find((value) => typeof value === 'string' && value !== '');
  const errors = trace.filter((span) => span.status.code === 'ERROR').length;
  const header = [
    `${style(ANSI.bold, `trace ${first.traceId}`)}${requestId === undefined ? '' : `  request ${String(requestId)}`}`,
    `${formatMs(nanosBetweenMs(start, end.toString()))} ms, ${trace.length} span${trace.length === 1 ? '' : 's'}, ${services.length} service${services.length === 1 ? '' : 's'} (${services.join(', ')}), started ${new Date(first.startTimeMs).toISOString()}${errors === 0 ? '' : `, ${style(ANSI.red, `${errors} error${errors === 1 ? '' : 's'}`)}`}`,
  ];

  const lines: Line[] = [];
  const visit = (node: Node, prefix: string, connector: string): void => {
    const { span } = node;
    const name = `${span.name} [${span.kind.toLowerCase()}]`;
    const label = `${prefix}${connector}${span.serviceName} ${name}`;
    const styledLabel = `${prefix}${connector}${style(ANSI.cyan, span.serviceName)} ${name}`;
    const words = [`${formatMs(span.durationMs).padStart(8)} ms`, style(ANSI.dim, `+${formatMs(nanosBetweenMs(start, span.startTimeUnixNano))} ms`)];
    const attributes = strataAttributes(span);
    if (attributes.length > 0) words.push(attributes.join(' '));
    if (node.missingParent !== undefined) words.push(style(ANSI.dim, `(parent ${node.missingParent} not received)`));
    if (span.status.code === 'ERROR') words.push(style(ANSI.red, `ERROR${span.status.message === undefined ? '' : `: ${span.status.message}`}`));
    lines.push({ label, styledLabel, rest: words.join('  ') });
    const childPrefix = prefix + (connector === '' ? '' : connector === '└─ ' ? '   ' : '│  ');
    node.children.forEach((child, index) => visit(child, childPrefix, index === node.children.length - 1 ? '└─ ' : '├─ '));
  };
  for (const root of treeOf(trace)) visit(root, '', '');

  const width = Math.min(MAX_LABEL_WIDTH, Math.max(...lines.map((line) => line.label.length)));
  const body = lines.map((line) => `${line.styledLabel}${' '.repeat(Math.max(0, width - line.label.length))}  ${line.rest}`);
  return `${[...header, ...body].join('\n')}\n`;
}
