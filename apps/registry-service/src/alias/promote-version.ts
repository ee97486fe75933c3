import { Inject, Injectable } from '@nestjs/common';
import { AbortedError, LOGGER, PermissionDeniedError } from '@strata/service-runtime';
import type { Logger } from 'pino';
import type { AuditRecord } from '../audit-log/audit-entry';
import { AuditLogRepository, type PrismaTx } from '../audit-log/audit-log.repository';
import type { Caller } from '../auth/caller';
import { GateInputsRepository } from '../gate-policy/gate-inputs.repository';
import type { GateEvaluation } from '../gate-policy/gate-policy';
import { GatePolicyRepository } from '../gate-policy/gate-policy.repository';
import { GateRunner, type PreparedGate } from '../gate-policy/gate-runner';
import { versionNotFound } from '../model-version/model-version.errors';
import { type RegisteredModel, RegisteredModelRepository } from '../release/registered-model.repository';
import { ReleaseEventRepository } from '../release/release-event.repository';
import { ReleaseTransaction } from '../release/release-transaction';
import { RequestCheck, requireModel } from '../release/request-checks';
import { LiveTrafficGate } from '../traffic-policy/live-traffic-gate';
import { type AliasState, auditStateOf } from './alias';
import { checkExpectedVersion, checkMayMove, checkTargetStatus, gateFailure } from './alias-rules';
import { AliasRepository } from './alias.repository';

/** SetAlias as the domain sees it. */
export interface SetAliasInput {
  readonly modelName: string;
  readonly alias: string;
  readonly version: number;
  /** Compare-and-set: undefined = no check, 0 = the alias must not exist, n = it must point at n. */
  readonly expectedCurrentVersion?: number;
  readonly reason: string;
  readonly overrideGate: boolean;
  readonly validateOnly: boolean;
}

/** The alias after the move (undefined for validate_only on a new alias) and the gate's verdict. */
export interface SetAliasResult {
  readonly alias?: AliasState;
  readonly gate: GateEvaluation;
}

// A move to the version the alias already points at changes nothing and evaluates nothing.
const UNCHANGED: GateEvaluation = { passed: true, checks: [], overridden: false };

// Thrown inside the transaction to roll it back when the gate refuses; never leaves this file.
class GateRefused extends Error {
  constructor(
    readonly evaluation: GateEvaluation,
    readonly current: AliasState | undefined,
  ) {
    super('gate refused');
  }
}

/**
 * SetAlias, the promotion: compare-and-set on the alias, the version must be ACTIVE, the
 * alias's gate must pass — and, when the alias takes live traffic (a share above 0% in the
 * traffic policy), production's role and gate too (LiveTrafficGate) — or an admin overrides
 * them; then the alias, its history, the release event and the audit entry change in one
 * transaction. A refused promotion changes nothing and leaves one `alias_set_rejected` audit entry.
 */
@Injectable()
export class PromoteVersion {
  constructor(
    private readonly models: RegisteredModelRepository,
    private readonly aliases: AliasRepository,
    private readonly policies: GatePolicyRepository,
    private readonly inputs: GateInputsRepository,
    private readonly gates: GateRunner,
    private readonly liveTraffic: LiveTrafficGate,
    private readonly transactions: ReleaseTransaction,
    private readonly events: ReleaseEventRepository,
    private readonly audit: AuditLogRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(input: SetAliasInput, caller: Caller): Promise<SetAliasResult> {
    new RequestCheck()
      .alias('alias', input.alias)
      .required('reason', input.reason)
      .that(input.version >= 1, 'version', `must be >= 1, got ${input.version}`)
      .that((input.expectedCurrentVersion ?? 0) >= 0, 'expected_current_version', 'must not be negative')
      .orThrow('SetAlias request');
    if (input.overrideGate && caller.role !== 'admin') throw new PermissionDeniedError(`${caller.subject} (role ${caller.role}) may not override a gate: needs admin`);
    const model = await requireModel(this.models, input.modelName);
    const policy = await this.policies.find(model.id, input.alias);
    checkMayMove(policy, caller, input.alias);
    const candidate = await this.inputs.version(model.id, input.version);
    if (candidate === undefined) throw versionNotFound(model.name, input.version);
    // Prepared before the transaction: a slow feature service must not hold the model's lock.
    const ownGate = await this.gates.prepare(input.alias, policy, [candidate]);
    const liveGate = (await this.liveTraffic.takesLiveTraffic(model.id, input.alias)) ? await this.liveTraffic.prepare(model.id, [candidate]) : undefined;
    let outcome: { result: SetAliasResult; moved: boolean };
    try {
      outcome = await this.transactions.forModel(model.id, (tx) => this.promote(tx, model, input, caller, ownGate, liveGate));
    } catch (error) {
      if (!(error instanceof GateRefused)) throw error;
      await this.audit.appendAlone(this.auditRecord('alias_set_rejected', model, input, caller, { before: auditStateOf(error.current), gate: error.evaluation }));
      const failure = gateFailure(input.alias, input.version, error.evaluation);
      this.logger.info(`promotion refused model=${model.name} alias=${input.alias} version=${input.version} by=${caller.subject} failed=${failure.violations.map((v) => v.type).join(',')}`);
      throw failure;
    }
    const { result, moved } = outcome;
    if (moved && result.alias !== undefined) {
      const alias = result.alias;
      this.logger.info(`alias moved model=${model.name} alias=${alias.alias} version=${alias.previousVersion ?? 0}->${alias.version} revision=${alias.revision} by=${caller.subject}${result.gate.overridden ? ' gate=overridden' : ''}`);
    }
    return result;
  }

  private async promote(
    tx: PrismaTx,
    model: RegisteredModel,
    input: SetAliasInput,
    caller: Caller,
    ownGate: PreparedGate,
    liveGate: PreparedGate | undefined,
  ): Promise<{ result: SetAliasResult; moved: boolean }> {
    const current = await this.aliases.find(model.id, input.alias, tx);
    checkExpectedVersion(input.alias, current?.version, input.expectedCurrentVersion);
    const target = await this.inputs.version(model.id, input.version, tx);
    if (target === undefined) throw versionNotFound(model.name, input.version);
    checkTargetStatus(model.name, target.version, target.status, ['active']);
    if (JSON.stringify(await this.policies.find(model.id, input.alias, tx)) !== JSON.stringify(ownGate.policy)) {
      throw new AbortedError(`the gate policy of alias ${input.alias} changed during the promotion: retry`);
    }
    if (current?.version === input.version) return { result: { alias: current, gate: UNCHANGED }, moved: false };

    const own = await this.gates.evaluate(tx, model.id, ownGate, target, current?.version);
    const live = await this.liveTraffic.takesLiveTraffic(model.id, input.alias, tx);
    const action = `move alias ${input.alias} while it takes live traffic`;
    const production = live ? await this.liveTraffic.evaluate(tx, model.id, caller, action, input.alias, target, liveGate) : undefined;
    const evaluation: GateEvaluation = production === undefined ? own : { passed: own.passed && production.passed, checks: [...own.checks, ...production.checks], overridden: false };
    if (input.validateOnly) return { result: { ...(current === undefined ? {} : { alias: current }), gate: evaluation }, moved: false };
    if (!evaluation.passed && !input.overrideGate) throw new GateRefused(evaluation, current);

    const gate: GateEvaluation = { ...evaluation, overridden: !evaluation.passed };
    const move = { alias: input.alias, version: input.version, ...(current === undefined ? {} : { previousVersion: current.version }) };
    const revision = await this.events.append(tx, {
      modelId: model.id,
      change: { kind: 'alias_moved', ...move, artifactSha256: target.artifactSha256 },
      actor: caller.subject,
      reason: input.reason,
    });
    await this.aliases.move(tx, { modelId: model.id, ...move, revision, actor: caller.subject, reason: input.reason, rollback: false });
    const after = await this.aliases.find(model.id, input.alias, tx);
    await this.audit.append(tx, this.auditRecord('alias_set', model, input, caller, { before: auditStateOf(current), after: auditStateOf(after), revision, gate }));
    return { result: { ...(after === undefined ? {} : { alias: after }), gate }, moved: true };
  }

  private auditRecord(
    action: 'alias_set' | 'alias_set_rejected',
    model: RegisteredModel,
    input: SetAliasInput,
    caller: Caller,
    change: Pick<AuditRecord, 'before' | 'after' | 'revision' | 'gate'>,
  ): AuditRecord {
    return { caller, action, modelName: model.name, alias: input.alias, version: input.version, reason: input.reason, ...change };
  }
}
