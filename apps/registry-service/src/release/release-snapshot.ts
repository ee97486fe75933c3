import type { AliasState } from '../alias/alias';
import type { TrafficPolicy } from '../traffic-policy/traffic-policy';
import type { ReleaseVersionStatus } from './release-event';

/** The release state of one model. */
export interface ModelRelease {
  readonly modelName: string;
  readonly aliases: readonly AliasState[];
  /** Effective traffic policy (the default when none was set). */
  readonly trafficPolicy: TrafficPolicy;
  /** Status of every version an alias points at. */
  readonly versionStatuses: ReadonlyMap<number, ReleaseVersionStatus>;
}

/** The complete release state at one revision: every event after `revision` is a change to it. */
export interface ReleaseSnapshot {
  readonly revision: bigint;
  readonly models: readonly ModelRelease[];
}
