/** Where an alias points: a version and its artifact's sha256 (bare hex). */
export interface AliasTarget {
  readonly version: number;
  readonly sha256: string;
}

/** How a model's requests are split between aliases, and which alias shadows them. */
export interface TrafficPolicy {
  readonly splits: readonly { readonly alias: string; readonly percent: number }[];
  readonly shadowAlias?: string;
  readonly shadowPercent?: number;
}

/** A registry version's lifecycle status: ACTIVE, DEPRECATED (still served) or ARCHIVED (final, never served). */
export type VersionLifecycle = 'active' | 'deprecated' | 'archived';

/** A version's new lifecycle status, as VERSION_STATUS_CHANGED reports it. */
export type VersionStatusChange = { readonly kind: 'version-status'; readonly modelName: string; readonly version: number; readonly status: VersionLifecycle };

/** One model's release state. */
export interface ModelReleaseState {
  readonly aliases: ReadonlyMap<string, AliasTarget>;
  readonly trafficPolicy: TrafficPolicy;
}

/** What the release stream said, in domain terms. */
export type ReleaseMessage =
  | { readonly kind: 'snapshot'; readonly revision: number; readonly reset: boolean; readonly models: ReadonlyMap<string, ModelReleaseState> }
  | { readonly kind: 'alias-moved'; readonly revision: number; readonly modelName: string; readonly alias: string; readonly target: AliasTarget }
  | { readonly kind: 'traffic-policy'; readonly revision: number; readonly modelName: string; readonly policy: TrafficPolicy }
  | (VersionStatusChange & { readonly revision: number })
  | { readonly kind: 'other'; readonly revision: number }
  | { readonly kind: 'heartbeat'; readonly revision: number };

/** A change a consumer acts on: an alias to (re)load, an alias gone, a new traffic policy, or a version's new status. */
export type ReleaseChange =
  | { readonly kind: 'alias-target'; readonly modelName: string; readonly alias: string; readonly target: AliasTarget }
  | { readonly kind: 'alias-removed'; readonly modelName: string; readonly alias: string }
  | { readonly kind: 'traffic-policy'; readonly modelName: string; readonly policy: TrafficPolicy }
  | VersionStatusChange;

/** The default policy of a model without one: everything to `production`. */
export const DEFAULT_TRAFFIC_POLICY: TrafficPolicy = { splits: [{ alias: 'production', percent: 100 }] };

/**
 * The registry's release state as this process knows it, kept by applying WatchReleases
 * messages in order. Each apply returns the changes to act on; a snapshot is diffed against
 * the current state, so a reconnect that re-sends a snapshot reloads nothing unchanged.
 */
export class ReleaseState {
  private models = new Map<string, ModelReleaseState>();
  private currentRevision = 0;

  /** The last revision applied (resume WatchReleases from it). */
  get revision(): number {
    return this.currentRevision;
  }

  model(name: string): ModelReleaseState | undefined {
    return this.models.get(name);
  }

  modelNames(): string[] {
    return [...this.models.keys()].sort();
  }

  apply(message: ReleaseMessage): ReleaseChange[] {
    // Events at or below the applied revision were seen already (a resumed stream may repeat none, but a snapshot may be older).
    if (message.kind !== 'snapshot' && message.revision <= this.currentRevision) return [];
    switch (message.kind) {
      case 'snapshot':
        return this.replace(message.revision, message.models);
      case 'alias-moved':
        this.currentRevision = message.revision;
        return this.moveAlias(message.modelName, message.alias, message.target);
      case 'traffic-policy':
        this.currentRevision = message.revision;
        return this.setPolicy(message.modelName, message.policy);
      case 'version-status':
        this.currentRevision = message.revision;
        return [{ kind: 'version-status', modelName: message.modelName, version: message.version, status: message.status }];
      case 'other':
      case 'heartbeat':
        this.currentRevision = Math.max(this.currentRevision, message.revision);
        return [];
    }
  }

  private replace(revision: number, models: ReadonlyMap<string, ModelReleaseState>): ReleaseChange[] {
    const changes: ReleaseChange[] = [];
    for (const [name, next] of models) {
      const previous = this.models.get(name);
      for (const [alias, target] of next.aliases) {
        const before = previous?.aliases.get(alias);
        if (before === undefined || before.version !== target.version || before.sha256 !== target.sha256) changes.push({ kind: 'alias-target', modelName: name, alias, target });
      }
      for (const alias of previous?.aliases.keys() ?? []) {
        if (!next.aliases.has(alias)) changes.push({ kind: 'alias-removed', modelName: name, alias });
      }
      if (previous === undefined || JSON.stringify(previous.trafficPolicy) !== JSON.stringify(next.trafficPolicy)) changes.push({ kind: 'traffic-policy', modelName: name, policy: next.trafficPolicy });
    }
    for (const [name, previous] of this.models) {
      if (models.has(name)) continue;
      for (const alias of previous.aliases.keys()) changes.push({ kind: 'alias-removed', modelName: name, alias });
    }
    this.models = new Map(models);
    this.currentRevision = revision;
    return changes;
  }

  private moveAlias(modelName: string, alias: string, target: AliasTarget): ReleaseChange[] {
    const model = this.models.get(modelName) ?? { aliases: new Map(), trafficPolicy: DEFAULT_TRAFFIC_POLICY };
    const aliases = new Map(model.aliases);
    aliases.set(alias, target);
    this.models.set(modelName, { ...model, aliases });
    return [{ kind: 'alias-target', modelName, alias, target }];
  }

  private setPolicy(modelName: string, policy: TrafficPolicy): ReleaseChange[] {
    const model = this.models.get(modelName) ?? { aliases: new Map(), trafficPolicy: DEFAULT_TRAFFIC_POLICY };
    this.models.set(modelName, { ...model, trafficPolicy: policy });
    return [{ kind: 'traffic-policy', modelName, policy }];
  }
}
