// `strata trace`: one request's path through the services (gateway -> inference-service ->
// feature-service) as a span tree, read from the OTLP trace collector `npm start` runs.
import {
  CollectorResponseError,
  CollectorUnreachableError,
  DEFAULT_COLLECTOR_URL,
  fetchRecentRequests,
  fetchTrace,
  renderTrace,
  type RequestSummary,
  type TraceQueryResult,
  waitForTrace,
} from '@strata/trace-collector';
import type { Command } from 'commander';
import { parseInteger } from '../args';
import { type CliDeps, parseDurationMs } from '../context';
import { CliFailure, UsageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { renderJson } from '../output/json';
import { renderTable } from '../output/table';

/** Deadline of one query to the collector unless --timeout says otherwise: it is local, so it answers at once or not at all. */
const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
const WAIT_INTERVAL_MS = 250;
const MAX_RECENT = 1_000;

interface TraceOptions {
  collector?: string;
  recent?: boolean;
  limit?: string;
  wait?: string;
}

/** What a `trace` run needs, resolved from flags, environment and defaults. */
export interface TraceCommandOptions {
  readonly collectorUrl: string;
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly colour: boolean;
  /** How long to wait for spans to arrive; 0: ask once. */
  readonly waitMs: number;
}

/** The collector URL from --collector, else STRATA_TRACES, else the default; a malformed URL is a usage error. */
export function traceOptionsOf(command: Command, deps: CliDeps): TraceCommandOptions {
  const raw = command.optsWithGlobals<TraceOptions & { timeout?: string; json?: boolean }>();
  const collectorUrl = raw.collector ?? (deps.io.env['STRATA_TRACES'] || DEFAULT_COLLECTOR_URL);
  const what = raw.collector === undefined ? 'STRATA_TRACES' : '--collector';
  let protocol: string;
  try {
    protocol = new URL(collectorUrl).protocol;
  } catch {
    throw new UsageError(`${what}: expected a URL such as ${DEFAULT_COLLECTOR_URL}, got "${collectorUrl}"`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new UsageError(`${what}: expected an http:// URL, got "${collectorUrl}"`);
  const env = deps.io.env;
  return {
    collectorUrl: collectorUrl.replace(/\/+$/, ''),
    timeoutMs: raw.timeout === undefined ? DEFAULT_QUERY_TIMEOUT_MS : parseDurationMs(raw.timeout, '--timeout'),
    json: raw.json === true,
    colour: deps.io.stdout.isTTY === true && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb',
    waitMs: raw.wait === undefined ? 0 : parseDurationMs(raw.wait, '--wait'),
  };
}

/** Collector failures as CLI failures: unreachable -> 8 with where to look, anything else -> 1. */
function translated(error: unknown): unknown {
  if (error instanceof CollectorUnreachableError) {
    return new CliFailure(`${error.message}\n  (is the trace collector running? \`npm start\` runs one at ${DEFAULT_COLLECTOR_URL}; set --collector or STRATA_TRACES)`, ExitCode.Unavailable);
  }
  if (error instanceof CollectorResponseError) return new CliFailure(error.message, ExitCode.Failure);
  return error;
}

/** Recent requests as a table, newest first. */
export function renderRecentRequests(requests: readonly RequestSummary[]): string {
  return renderTable(
    ['REQUEST ID', 'STARTED', 'DURATION', 'SPANS', 'STATUS', 'ROOT'],
    requests.map((request) => [
      request.requestId,
      request.startTime.replace('T', ' '),
      `${request.durationMs.toFixed(2)} ms`,
      String(request.spanCount),
      request.error ? 'error' : 'ok',
      `${request.rootServiceName} ${request.rootSpanName}`,
    ]),
    '(no requests yet: send one through the gateway; services export their spans every few seconds)',
  );
}

async function queryTrace(id: string, options: TraceCommandOptions): Promise<TraceQueryResult> {
  if (options.waitMs === 0) return fetchTrace(options.collectorUrl, id, { timeoutMs: options.timeoutMs });
  return waitForTrace(options.collectorUrl, id, { timeoutMs: options.timeoutMs, waitMs: options.waitMs, intervalMs: WAIT_INTERVAL_MS });
}

/** Registers `strata trace <request-id>` and `strata trace --recent`. */
export function registerTraceCommand(program: Command, deps: CliDeps): void {
  program
    .command('trace')
    .description("one request's path through gateway, inference-service and feature-service as a span tree, from the trace collector `npm start` runs")
    .argument('[request-id]', 'request ID (the x-request-id header or request_id field of a response), or a 32-hex trace ID')
    .option('--collector <url>', `trace collector URL (env STRATA_TRACES, default ${DEFAULT_COLLECTOR_URL})`)
    .option('--recent', 'list the most recent request IDs the collector has spans for')
    .option('--limit <n>', 'with --recent: how many requests (default 20)')
    .option('--wait <duration>', 'wait up to this long for the spans to arrive, e.g. 10s (services export them every few seconds)')
    .addHelpText(
      'after',
      `\nThe collector is the OTLP/HTTP receiver services export to (OTEL_EXPORTER_OTLP_ENDPOINT); \`npm start\` runs one at ${DEFAULT_COLLECTOR_URL}.\nExit code 3 when it has no span of the request, 8 when it cannot be reached.`,
    )
    .action(async (id: string | undefined, options: TraceOptions, command: Command) => {
      const resolved = traceOptionsOf(command, deps);
      const print = (json: unknown, human: () => string): void => deps.io.stdout.write(resolved.json ? renderJson(json) : human());
      if (options.recent === true) {
        if (id !== undefined) throw new UsageError('give a request ID or --recent, not both');
        const limit = options.limit === undefined ? 20 : parseInteger(options.limit, '--limit', 1, MAX_RECENT);
        const requests = await fetchRecentRequests(resolved.collectorUrl, limit, { timeoutMs: resolved.timeoutMs }).catch((error: unknown) => Promise.reject(translated(error)));
        print({ requests }, () => renderRecentRequests(requests));
        return;
      }
      if (id === undefined || id.trim() === '') throw new UsageError('give a request ID (or --recent to list the latest ones)');
      if (options.limit !== undefined) throw new UsageError('--limit goes with --recent');
      const result = await queryTrace(id.trim(), resolved).catch((error: unknown) => Promise.reject(translated(error)));
      if (result.spans.length === 0) {
        const hint = resolved.waitMs === 0 ? 'services export spans every few seconds: retry, or add --wait 10s' : `none arrived within --wait ${options.wait ?? ''}`;
        throw new CliFailure(`no trace for request ID "${id.trim()}" at ${resolved.collectorUrl}\n  (${hint}; \`strata trace --recent\` lists the request IDs it has)`, ExitCode.NotFound);
      }
      print(result, () => renderTrace(result.spans, { colour: resolved.colour, ...(result.requestId === undefined ? {} : { requestId: result.requestId }) }));
    });
}
