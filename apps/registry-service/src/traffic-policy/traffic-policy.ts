/** Share of a model's traffic sent to one alias. */
export interface TrafficSplit {
  readonly alias: string;
  /** 0-100. */
  readonly percent: number;
}

/** How inference-service splits a model's traffic across its aliases, plus an optional shadow. */
export interface TrafficPolicy {
  /** Percentages sum to 100; each alias at most once; order as given. */
  readonly splits: readonly TrafficSplit[];
  /** Alias that receives a mirrored copy of sampled requests; undefined = no shadow. */
  readonly shadowAlias?: string;
  /** 1-100 when shadowAlias is set, else 0. */
  readonly shadowPercent: number;
}

/**
 * The alias that takes a model's traffic when it has no policy. Its gate is the production
 * gate: every alias given live traffic is held to it as well (see LiveTrafficGate).
 */
export const DEFAULT_ALIAS = 'production';

/** The policy that applies when a model has none: everything to {@link DEFAULT_ALIAS}. */
export const DEFAULT_TRAFFIC_POLICY: TrafficPolicy = { splits: [{ alias: DEFAULT_ALIAS, percent: 100 }], shadowPercent: 0 };

/** A model's effective traffic policy. */
export interface EffectiveTrafficPolicy {
  readonly policy: TrafficPolicy;
  /** True when no policy was set and {@link DEFAULT_TRAFFIC_POLICY} applies. */
  readonly isDefault: boolean;
}
