import type { TrafficPolicy } from '../traffic-policy/traffic-policy';

/** A version's lifecycle status as the release stream reports it. */
export type ReleaseVersionStatus = 'active' | 'deprecated' | 'archived';

/** What changed in a model's release state. */
export type ReleaseChange =
  | {
      readonly kind: 'alias_moved';
      readonly alias: string;
      /** The new target. */
      readonly version: number;
      /** The previous target; undefined when the move created the alias. */
      readonly previousVersion?: number;
      /** SHA-256 (bare hex) of the new target's artifact. */
      readonly artifactSha256: string;
    }
  | { readonly kind: 'traffic_policy_changed'; readonly trafficPolicy: TrafficPolicy }
  | { readonly kind: 'version_status_changed'; readonly version: number; readonly status: ReleaseVersionStatus };

/** A release change about to be recorded, in the transaction that makes it. */
export interface NewReleaseEvent {
  readonly modelId: string;
  readonly change: ReleaseChange;
  /** Token subject of the caller. */
  readonly actor: string;
  readonly reason: string;
}

/** A committed release change with its registry-wide revision. */
export interface ReleaseEvent {
  readonly revision: bigint;
  readonly modelId: string;
  readonly modelName: string;
  readonly change: ReleaseChange;
  readonly actor: string;
  readonly reason: string;
  readonly time: Date;
}
