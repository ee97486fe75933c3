import type { ReleaseVersionStatus } from '../release/release-event';

/** Alias names: `^[a-z][a-z0-9-]{0,31}$`; `latest` is reserved (it always means the newest version). */
const ALIAS_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Why `name` is not a valid alias name, or undefined when it is. */
export function aliasNameProblem(name: string): string | undefined {
  if (name === '') return 'required';
  if (!ALIAS_NAME.test(name)) return `"${name}" is not a valid alias name (^[a-z][a-z0-9-]{0,31}$)`;
  if (name === 'latest') return '"latest" is reserved';
  return undefined;
}

/** The state of one alias: where it points, where it pointed before, and who moved it last. */
export interface AliasState {
  readonly modelId: string;
  readonly modelName: string;
  readonly alias: string;
  readonly version: number;
  /** The target before the last move; undefined when the alias is new. */
  readonly previousVersion?: number;
  /** SHA-256 (bare hex) of the target's artifact. */
  readonly artifactSha256: string;
  /** Status of the target version. */
  readonly versionStatus: ReleaseVersionStatus;
  /** Release revision of the last move. */
  readonly revision: bigint;
  readonly updatedBy: string;
  readonly reason: string;
  readonly updatedAt: Date;
}

/** The alias as the audit log records it (before/after): the AliasInfo fields, no internal ids. */
export function auditStateOf(alias: AliasState | undefined): Omit<AliasState, 'modelId'> | undefined {
  if (alias === undefined) return undefined;
  const { modelId: _modelId, ...state } = alias;
  return state;
}
