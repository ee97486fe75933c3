import { Inject, Injectable } from '@nestjs/common';
import { FailedPreconditionError, LOGGER } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { AuditLogRepository } from '../audit-log/audit-log.repository';
import type { Caller } from '../auth/caller';
import { GateInputsRepository } from '../gate-policy/gate-inputs.repository';
import { GatePolicyRepository } from '../gate-policy/gate-policy.repository';
import type { PreparedGate } from '../gate-policy/gate-runner';
import { aliasNotFound, versionNotFound } from '../model-version/model-version.errors';
import { RegisteredModelRepository } from '../release/registered-model.repository';
import { ReleaseEventRepository } from '../release/release-event.repository';
import { ReleaseTransaction } from '../release/release-transaction';
import { RequestCheck, requireModel } from '../release/request-checks';
import { LiveTrafficGate } from '../traffic-policy/live-traffic-gate';
import { type AliasState, auditStateOf } from './alias';
import { checkExpectedVersion, checkMayMove, checkTargetStatus, gateFailure } from './alias-rules';
import { AliasRepository } from './alias.repository';

/** RollbackAlias as the domain sees it. */
export interface RollbackAliasInput {
  readonly modelName: string;
  readonly alias: string;
  readonly reason: string;
  /** Compare-and-set, as in SetAlias. */
  readonly expectedCurrentVersion?: number;
}

/**
 * RollbackAlias: points the alias back at the version it pointed at before its last move.
 *
 * "Before its last move" makes a rollback an undo, not a walk: after 1 -> 2 -> 3, a rollback
 * goes to 2 (previous 3), and a second rollback goes back to 3 — the contract's
 * previous_version stays true at every step, and a rollback never lands on a version nobody
 * chose just before. Going further back is an explicit, gated SetAlias to that version.
 * Gates are not evaluated (the target already passed them); it must not be ARCHIVED. The
 * exception is an alias that takes live traffic (a share above 0% in the traffic policy): its
 * previous version may never have answered clients, so it needs production's role and must pass
 * production's gate (LiveTrafficGate). Taking the alias's traffic away is always allowed.
 */
@Injectable()
export class RollbackAlias {
  constructor(
    private readonly models: RegisteredModelRepository,
    private readonly aliases: AliasRepository,
    private readonly policies: GatePolicyRepository,
    private readonly versions: GateInputsRepository,
    private readonly liveTraffic: LiveTrafficGate,
    private readonly transactions: ReleaseTransaction,
    private readonly events: ReleaseEventRepository,
    private readonly audit: AuditLogRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(input: RollbackAliasInput, caller: Caller): Promise<AliasState> {
    new RequestCheck()
      .alias('alias', input.alias)
      .required('reason', input.reason)
      .that((input.expectedCurrentVersion ?? 0) >= 0, 'expected_current_version', 'must not be negative')
      .orThrow('RollbackAlias request');
    const model = await requireModel(this.models, input.modelName);
    const liveGate = await this.prepareLiveGate(model.id, input.alias);
    const after = await this.transactions.forModel(model.id, async (tx) => {
      checkMayMove(await this.policies.find(model.id, input.alias, tx), caller, input.alias);
      const current = await this.aliases.find(model.id, input.alias, tx);
      if (current === undefined) throw aliasNotFound(model.name, input.alias);
      checkExpectedVersion(input.alias, current.version, input.expectedCurrentVersion);
      const previous = current.previousVersion;
      if (previous === undefined) {
        const description = `alias ${input.alias} has no previous version: it was created at version ${current.version} and never moved`;
        throw new FailedPreconditionError(description, [{ type: 'ROLLBACK_TARGET', subject: input.alias, description }]);
      }
      const target = await this.versions.version(model.id, previous, tx);
      if (target === undefined) throw versionNotFound(model.name, previous);
      checkTargetStatus(model.name, previous, target.status, ['active', 'deprecated']);
      if (await this.liveTraffic.takesLiveTraffic(model.id, input.alias, tx)) {
        const action = `roll back alias ${input.alias} while it takes live traffic`;
        const evaluation = await this.liveTraffic.evaluate(tx, model.id, caller, action, input.alias, target, liveGate);
        if (!evaluation.passed) throw gateFailure(input.alias, previous, evaluation);
      }

      const move = { alias: input.alias, version: previous, previousVersion: current.version };
      const revision = await this.events.append(tx, {
        modelId: model.id,
        change: { kind: 'alias_moved', ...move, artifactSha256: target.artifactSha256 },
        actor: caller.subject,
        reason: input.reason,
      });
      await this.aliases.move(tx, { modelId: model.id, ...move, revision, actor: caller.subject, reason: input.reason, rollback: true });
      const after = await this.aliases.find(model.id, input.alias, tx);
      if (after === undefined) throw aliasNotFound(model.name, input.alias);
      await this.audit.append(tx, {
        caller,
        action: 'alias_rolled_back',
        modelName: model.name,
        alias: input.alias,
        version: previous,
        reason: input.reason,
        before: auditStateOf(current),
        after: auditStateOf(after),
        revision,
      });
      return after;
    });
    this.logger.info(`alias rolled back model=${model.name} alias=${input.alias} version=${after.previousVersion ?? 0}->${after.version} revision=${after.revision} by=${caller.subject}`);
    return after;
  }

  /** Production's gate prepared for the version a rollback of a live alias would land on; undefined when the alias has no live traffic. */
  private async prepareLiveGate(modelId: string, alias: string): Promise<PreparedGate | undefined> {
    if (!(await this.liveTraffic.takesLiveTraffic(modelId, alias))) return undefined;
    const version = (await this.aliases.find(modelId, alias))?.previousVersion;
    const target = version === undefined ? undefined : await this.versions.version(modelId, version);
    return this.liveTraffic.prepare(modelId, target === undefined ? [] : [target]);
  }
}
