import type { Caller } from '../auth/caller';

/** What an audit entry records; mirrors strata.registry.v1.AuditAction. */
export type AuditAction =
  | 'model_created'
  | 'version_registered'
  | 'evidence_added'
  | 'version_status_changed'
  | 'version_approved'
  | 'alias_set'
  | 'alias_set_rejected'
  | 'alias_rolled_back'
  | 'gate_policy_set'
  | 'traffic_policy_set'
  | 'traffic_policy_set_rejected';

/** One mutation of the registry: who, what, to which model/alias/version, why, before/after. */
export interface AuditRecord {
  readonly caller: Caller;
  readonly action: AuditAction;
  readonly modelName: string;
  readonly alias?: string;
  readonly version?: number;
  readonly reason?: string;
  /** State before the change; undefined when it did not exist. */
  readonly before?: unknown;
  /** State after the change; undefined for a refused change. */
  readonly after?: unknown;
  /** Release revision of the change, when it changed release state. */
  readonly revision?: bigint;
  /**
   * The gate evaluation of a promotion (passed, refused or overridden), kept with the entry; for a
   * refused traffic policy, the policy asked for and each refused alias's evaluation (or the denial).
   */
  readonly gate?: unknown;
}

/** A stored audit entry. */
export interface AuditEntry extends AuditRecord {
  readonly id: string;
  readonly time: Date;
  readonly requestId?: string;
}
