import { isSpanContextValid, trace } from '@opentelemetry/api';
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import { getRequestContext } from './request-context';
import { REQUEST_CONTEXT_FIELDS, RequestContextLogFields } from './request-context-keys';

/** Options of {@link createLogger}. */
export interface LoggerConfig {
  /** Written as `service` on every line. */
  readonly service: string;
  /** Lowest level written. Default `info`. */
  readonly level?: LevelWithSilent;
  /** Where JSON lines go. Default: stdout. Tests pass a stream that captures lines. */
  readonly destination?: DestinationStream;
  /** More paths to redact, in pino `redact` syntax, on top of {@link DEFAULT_REDACTED_PATHS}. */
  readonly redact?: readonly string[];
}

/** Field paths whose values are replaced by `[redacted]` in every log line. */
export const DEFAULT_REDACTED_PATHS: readonly string[] = ['password', 'token', 'secret', 'apiKey', 'authorization', 'databaseUrl'].flatMap((field) => [field, `*.${field}`]);

/**
 * The correlation fields of a log line written now: `trace_id` and `span_id` of the active
 * span, and `request_id`, `model_name`, `model_version`, `feature_contract` of the request
 * context — each only when known.
 */
export function logCorrelationFields(): Record<string, string> {
  const fields: Record<string, string> = {};
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext !== undefined && isSpanContextValid(spanContext)) {
    fields['trace_id'] = spanContext.traceId;
    fields['span_id'] = spanContext.spanId;
  }
  const requestContext = getRequestContext();
  for (const field of REQUEST_CONTEXT_FIELDS) {
    const value = requestContext[field];
    if (value !== undefined) fields[RequestContextLogFields[field]] = value;
  }
  return fields;
}

/**
 * A pino logger writing JSON lines (`level` as a word, ISO `time`, `service`) that carry the
 * trace, span and request IDs of the moment they are written (see {@link logCorrelationFields}).
 * Log what happened and to what: `logger.info({ model, version }, 'registered model version')`.
 */
export function createLogger(config: LoggerConfig): Logger {
  return pino(
    {
      level: config.level ?? 'info',
      base: { service: config.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: logCorrelationFields,
      redact: { paths: [...DEFAULT_REDACTED_PATHS, ...(config.redact ?? [])], censor: '[redacted]' },
    },
    config.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
