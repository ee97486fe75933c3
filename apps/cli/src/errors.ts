import { type ServiceError, status } from '@grpc/grpc-js';
import { ExitCode, exitCodeForStatus } from './exit-codes';

/** The command line is wrong (bad value, unreadable input file): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure found by the CLI itself, with the exit code it maps to. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** Everything `strata` says about a failed command, on stderr (as text, or as JSON with --json). */
export interface ErrorReport {
  /** gRPC status name (`FAILED_PRECONDITION`), `USAGE` or `ERROR` for local failures. */
  readonly status: string;
  /** gRPC status code number; absent for local failures. */
  readonly code?: number;
  readonly message: string;
  readonly exitCode: ExitCode;
  /** google.rpc.BadRequest field violations (INVALID_ARGUMENT). */
  readonly fieldViolations: { field: string; description: string }[];
  /** google.rpc.PreconditionFailure violations: every failing gate rule (FAILED_PRECONDITION). */
  readonly preconditionViolations: { type: string; subject: string; description: string }[];
}

/** `value`, or a failure saying the registry's answer lacked `what` (a contract violation). */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new CliFailure(`the registry's answer has no ${what}`, ExitCode.Failure);
  return value;
}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && (error as Partial<ServiceError>).metadata !== undefined;
}

/** Builds the report of any error a command threw, decoding the gRPC error details. */
export async function reportOf(error: unknown): Promise<ErrorReport> {
  if (error instanceof UsageError) return { status: 'USAGE', message: error.message, exitCode: ExitCode.Usage, fieldViolations: [], preconditionViolations: [] };
  if (error instanceof CliFailure) return { status: 'ERROR', message: error.message, exitCode: error.exitCode, fieldViolations: [], preconditionViolations: [] };
  if (isServiceError(error)) {
    // Loaded only on this path: the shared decoder lives in service-runtime, whose imports
    // (Nest, Prisma) would otherwise slow down every successful command.
    const { decodeStatusDetails, STATUS_DETAILS_KEY } = await import('@strata/service-runtime');
    const [details] = error.metadata.get(STATUS_DETAILS_KEY);
    const decoded = Buffer.isBuffer(details) ? safeDecode(() => decodeStatusDetails(details)) : undefined;
    return {
      status: status[error.code] ?? String(error.code),
      code: error.code,
      // grpc-js appends an empty "Resolution note:" to connection failures.
      message: (error.details || error.message).replace(/\s*Resolution note:\s*$/, ''),
      exitCode: exitCodeForStatus(error.code),
      fieldViolations: decoded?.fieldViolations ?? [],
      preconditionViolations: decoded?.preconditionViolations ?? [],
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'ERROR', message, exitCode: ExitCode.Failure, fieldViolations: [], preconditionViolations: [] };
}

function safeDecode<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch {
    return undefined;
  }
}

/** What to check when a service does not answer, by the service the message starts with. */
const UNAVAILABLE_HINTS: readonly (readonly [string, string])[] = [
  ['feature-service', '  (is feature-service running? set --features or STRATA_FEATURES)'],
  ['training-runner', '  (is training-runner running? set --training or STRATA_TRAINING)'],
];

/** The report as stderr lines: `strata: STATUS: message`, then one line per violation. */
export function renderErrorReport(report: ErrorReport): string {
  const head = report.status === 'USAGE' || report.status === 'ERROR' ? `strata: ${report.message}` : `strata: ${report.status}: ${report.message}`;
  const lines = [head];
  for (const v of report.fieldViolations) lines.push(`  field ${v.field}: ${v.description}`);
  for (const v of report.preconditionViolations) lines.push(`  ${v.type} ${v.subject}: ${v.description}`);
  if (report.status === 'UNAVAILABLE') {
    lines.push(UNAVAILABLE_HINTS.find(([service]) => report.message.startsWith(service))?.[1] ?? '  (is registry-service running? set --registry or STRATA_REGISTRY)');
  }
  if (report.status === 'DEADLINE_EXCEEDED') lines.push('  (no answer within --timeout; raise it for large uploads or downloads)');
  if (report.exitCode === ExitCode.Auth && report.status === 'UNAUTHENTICATED') lines.push('  (set --token or STRATA_TOKEN)');
  return `${lines.join('\n')}\n`;
}

/** The report as one JSON line: `{"error": {...}}` with stable field names. */
export function renderErrorJson(report: ErrorReport): string {
  return `${JSON.stringify({ error: report })}\n`;
}
