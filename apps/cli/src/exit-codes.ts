import { status } from '@grpc/grpc-js';

/** Exit codes of `strata`, stable so CI steps can branch on them (documented in `strata --help`). */
export enum ExitCode {
  Ok = 0,
  /** Anything not listed below (internal errors, RESOURCE_EXHAUSTED, UNIMPLEMENTED, a bad download…). */
  Failure = 1,
  /** The command line is wrong: unknown command or option, missing argument, unreadable input file. */
  Usage = 2,
  /** NOT_FOUND: the model, version, alias or evidence does not exist. */
  NotFound = 3,
  /** FAILED_PRECONDITION: a promotion gate (or another precondition) refused the change. */
  GateFailed = 4,
  /** ABORTED or ALREADY_EXISTS: a compare-and-set conflict or a differing duplicate. */
  Conflict = 5,
  /** UNAUTHENTICATED or PERMISSION_DENIED: no, bad or insufficient token. */
  Auth = 6,
  /** INVALID_ARGUMENT: the registry refused the request's content. */
  InvalidArgument = 7,
  /** UNAVAILABLE or DEADLINE_EXCEEDED: the registry could not be reached in time. */
  Unavailable = 8,
}

/** The exit code for a gRPC status code. */
export function exitCodeForStatus(code: status): ExitCode {
  switch (code) {
    case status.OK:
      return ExitCode.Ok;
    case status.NOT_FOUND:
      return ExitCode.NotFound;
    case status.FAILED_PRECONDITION:
      return ExitCode.GateFailed;
    case status.ABORTED:
    case status.ALREADY_EXISTS:
      return ExitCode.Conflict;
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return ExitCode.Auth;
    case status.INVALID_ARGUMENT:
      return ExitCode.InvalidArgument;
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
      return ExitCode.Unavailable;
    default:
      return ExitCode.Failure;
  }
}

/** The `Exit codes:` section of `strata --help`. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  any other failure (internal error, RESOURCE_EXHAUSTED, UNIMPLEMENTED, download digest mismatch)
  2  usage error (unknown command or option, missing argument, unreadable input file)
  3  not found (NOT_FOUND)
  4  gate failed or precondition (FAILED_PRECONDITION: a refused promotion, a changed feature set version; also \`aliases set --validate-only\` when the gate would fail)
  5  conflict (ABORTED: --expect did not match; ALREADY_EXISTS)
  6  auth (UNAUTHENTICATED, PERMISSION_DENIED)
  7  invalid argument (INVALID_ARGUMENT from the service)
  8  unavailable (UNAVAILABLE, DEADLINE_EXCEEDED)`;
