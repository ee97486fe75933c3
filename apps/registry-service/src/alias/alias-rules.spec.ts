import { status } from '@grpc/grpc-js';
import { EMPTY_GATE_POLICY } from '../gate-policy/gate-policy';
import { checkExpectedVersion, checkMayMove, checkTargetStatus, gateFailure } from './alias-rules';

const codeOf = (action: () => void): status | undefined => {
  try {
    action();
    return undefined;
  } catch (error) {
    return (error as { code: status }).code;
  }
};

describe('alias rules', () => {
  describe(checkExpectedVersion.name, () => {
    it('checks nothing without an expectation', () => {
      expect(codeOf(() => checkExpectedVersion('production', 3, undefined))).toBeUndefined();
      expect(codeOf(() => checkExpectedVersion('production', undefined, undefined))).toBeUndefined();
    });

    it('reads 0 as "the alias must not exist"', () => {
      expect(codeOf(() => checkExpectedVersion('production', undefined, 0))).toBeUndefined();
      expect(codeOf(() => checkExpectedVersion('production', 1, 0))).toBe(status.ABORTED);
    });

    it('needs the alias to point at the expected version', () => {
      expect(codeOf(() => checkExpectedVersion('production', 2, 2))).toBeUndefined();
      expect(codeOf(() => checkExpectedVersion('production', 3, 2))).toBe(status.ABORTED);
      expect(codeOf(() => checkExpectedVersion('production', undefined, 2))).toBe(status.ABORTED);
      expect(() => checkExpectedVersion('production', 3, 2)).toThrow('alias production points at version 3, expected it to point at version 2: re-read and retry');
    });
  });

  describe(checkMayMove.name, () => {
    it('lets every role move an alias without allowed_roles, and only the listed roles otherwise', () => {
      const ci = { subject: 'ci-bot', role: 'ci' as const };
      expect(codeOf(() => checkMayMove(EMPTY_GATE_POLICY, ci, 'staging'))).toBeUndefined();
      expect(codeOf(() => checkMayMove({ ...EMPTY_GATE_POLICY, allowedRoles: ['admin'] }, ci, 'production'))).toBe(status.PERMISSION_DENIED);
      expect(codeOf(() => checkMayMove({ ...EMPTY_GATE_POLICY, allowedRoles: ['admin'] }, { subject: 'alice', role: 'admin' }, 'production'))).toBeUndefined();
    });
  });

  it('refuses a target whose status is not allowed with a VERSION_STATUS violation', () => {
    expect(() => checkTargetStatus('churn', 3, 'deprecated', ['active'])).toThrow(expect.objectContaining({ code: status.FAILED_PRECONDITION, violations: [expect.objectContaining({ type: 'VERSION_STATUS', subject: 'churn:3' })] }));
    expect(codeOf(() => checkTargetStatus('churn', 3, 'deprecated', ['active', 'deprecated']))).toBeUndefined();
  });

  it('turns every failed check of a gate into one violation', () => {
    const failure = gateFailure('production', 4, {
      passed: false,
      overridden: false,
      checks: [
        { kind: 'metric', subject: 'auc', passed: false, detail: 'auc 0.7 < min 0.75' },
        { kind: 'evidence', subject: 'eval', passed: true, detail: 'ok' },
        { kind: 'approval', subject: 'approvals', passed: false, detail: '0 of 1 required approvals (none)' },
      ],
    });
    expect(failure.violations).toEqual([
      { type: 'GATE_METRIC', subject: 'auc', description: 'auc 0.7 < min 0.75' },
      { type: 'GATE_APPROVAL', subject: 'approvals', description: '0 of 1 required approvals (none)' },
    ]);
    expect(failure.message).toBe('gate of alias production refused version 4 (2 failed): auc 0.7 < min 0.75; 0 of 1 required approvals (none)');
  });
});
