import { status } from '@grpc/grpc-js';
import { EXIT_CODES_HELP, ExitCode, exitCodeForStatus } from './exit-codes';

describe(exitCodeForStatus.name, () => {
  it.each([
    [status.OK, ExitCode.Ok],
    [status.NOT_FOUND, ExitCode.NotFound],
    [status.FAILED_PRECONDITION, ExitCode.GateFailed],
    [status.ABORTED, ExitCode.Conflict],
    [status.ALREADY_EXISTS, ExitCode.Conflict],
    [status.UNAUTHENTICATED, ExitCode.Auth],
    [status.PERMISSION_DENIED, ExitCode.Auth],
    [status.INVALID_ARGUMENT, ExitCode.InvalidArgument],
    [status.UNAVAILABLE, ExitCode.Unavailable],
    [status.DEADLINE_EXCEEDED, ExitCode.Unavailable],
    [status.INTERNAL, ExitCode.Failure],
    [status.UNIMPLEMENTED, ExitCode.Failure],
    [status.RESOURCE_EXHAUSTED, ExitCode.Failure],
    [status.OUT_OF_RANGE, ExitCode.Failure],
  ])('maps status %i to exit code %i', (code, exitCode) => {
    expect(exitCodeForStatus(code)).toBe(exitCode);
  });

  it('documents every exit code in the help text, with the number CI branches on', () => {
    expect(EXIT_CODES_HELP).toMatch(/^ {2}0 {2}ok$/m);
    expect(EXIT_CODES_HELP).toMatch(/^ {2}2 {2}usage error/m);
    expect(EXIT_CODES_HELP).toMatch(/^ {2}3 {2}not found/m);
    expect(EXIT_CODES_HELP).toMatch(/^ {2}4 {2}gate failed/m);
    expect(EXIT_CODES_HELP).toMatch(/^ {2}5 {2}conflict/m);
    expect(EXIT_CODES_HELP).toMatch(/^ {2}6 {2}auth/m);
    expect(EXIT_CODES_HELP).toMatch(/^ {2}7 {2}invalid argument/m);
    expect(EXIT_CODES_HELP).toMatch(/^ {2}8 {2}unavailable/m);
  });
});
