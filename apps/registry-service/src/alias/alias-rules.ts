import { AbortedError, FailedPreconditionError, PermissionDeniedError, type PreconditionViolation } from '@strata/service-runtime';
import type { Caller } from '../auth/caller';
import { type GateEvaluation, type GatePolicy, GATE_VIOLATION_TYPES } from '../gate-policy/gate-policy';
import { versionStatusPrecondition } from '../model-version/model-version.errors';
import type { ReleaseVersionStatus } from '../release/release-event';

/**
 * Compare-and-set: `expected` undefined = no check, 0 = the alias must not exist yet,
 * n = the alias must point at n. ABORTED otherwise (re-read and retry).
 */
export function checkExpectedVersion(alias: string, current: number | undefined, expected: number | undefined): void {
  if (expected === undefined || expected === (current ?? 0)) return;
  const actual = current === undefined ? 'does not exist' : `points at version ${current}`;
  const wanted = expected === 0 ? 'not to exist' : `to point at version ${expected}`;
  throw new AbortedError(`alias ${alias} ${actual}, expected it ${wanted}: re-read and retry`);
}

/** PERMISSION_DENIED when the alias's policy does not let the caller's role move it. */
export function checkMayMove(policy: GatePolicy, caller: Caller, alias: string): void {
  if (policy.allowedRoles.length === 0 || policy.allowedRoles.includes(caller.role)) return;
  throw new PermissionDeniedError(`${caller.subject} (role ${caller.role}) may not move alias ${alias}: its gate policy allows ${policy.allowedRoles.join(', ')}`);
}

/** FAILED_PRECONDITION (type VERSION_STATUS) unless a version in `status` may become an alias's target. */
export function checkTargetStatus(modelName: string, version: number, status: ReleaseVersionStatus, allowed: readonly ReleaseVersionStatus[]): void {
  if (allowed.includes(status)) return;
  throw versionStatusPrecondition(modelName, version, `is ${status.toUpperCase()}; an alias may only move to a version that is ${allowed.map((s) => s.toUpperCase()).join(' or ')}`);
}

/** One precondition violation per failed gate check. */
export function gateViolations(evaluation: GateEvaluation): PreconditionViolation[] {
  return evaluation.checks.filter((check) => !check.passed).map((check) => ({ type: GATE_VIOLATION_TYPES[check.kind], subject: check.subject, description: check.detail }));
}

/** FAILED_PRECONDITION listing every failed rule of a refused promotion. */
export function gateFailure(alias: string, version: number, evaluation: GateEvaluation): FailedPreconditionError {
  const violations = gateViolations(evaluation);
  const summary = violations.map((v) => v.description).join('; ');
  return new FailedPreconditionError(`gate of alias ${alias} refused version ${version} (${violations.length} failed): ${summary}`, violations);
}
