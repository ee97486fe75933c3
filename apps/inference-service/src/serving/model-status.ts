import type { AliasStatus } from '../model-runtime';
import type { TrafficPolicy } from '../releases/release-state';

/** One version this replica holds, as GetModelStatus reports it. */
export interface VersionStatus {
  readonly version: number;
  readonly state: 'ready' | 'failed' | 'loading';
  readonly aliases: readonly string[];
  readonly sha256: string;
  readonly readyAt?: Date;
  readonly inFlight: number;
  readonly lastLoadError: string;
}

/** A model's serving status in this replica. */
export interface ModelStatusView {
  readonly modelName: string;
  /** Every alias of the traffic policy has a loaded version. */
  readonly ready: boolean;
  readonly versions: readonly VersionStatus[];
  readonly aliases: Readonly<Record<string, number>>;
  readonly traffic: readonly { readonly alias: string; readonly version: number; readonly percent: number; readonly shadow: boolean }[];
}

/**
 * Folds per-alias status into per-version status (versions shared by aliases appear once); a
 * version being loaded for an alias shows as `loading` (also when an earlier attempt failed).
 */
export function modelStatusOf(modelName: string, aliases: readonly AliasStatus[], policy: TrafficPolicy, loading: readonly { alias: string; version: number }[] = []): ModelStatusView {
  const byVersion = new Map<number, VersionStatus>();
  for (const status of aliases) {
    if (status.version !== undefined) {
      const existing = byVersion.get(status.version);
      byVersion.set(status.version, {
        version: status.version,
        state: 'ready',
        aliases: [...(existing?.aliases ?? []), status.alias],
        sha256: status.sha256 ?? '',
        ...(status.loadedAt === undefined ? {} : { readyAt: status.loadedAt }),
        inFlight: (existing?.inFlight ?? 0) + status.inFlight,
        lastLoadError: existing?.lastLoadError ?? '',
      });
    }
    const failure = status.lastFailure;
    if (failure !== undefined && failure.version !== status.version) {
      const existing = byVersion.get(failure.version);
      byVersion.set(failure.version, { version: failure.version, state: existing?.state ?? 'failed', aliases: existing?.aliases ?? [], sha256: existing?.sha256 ?? '', inFlight: existing?.inFlight ?? 0, lastLoadError: `${failure.reason}: ${failure.message}` });
    }
  }
  for (const entry of loading) {
    const existing = byVersion.get(entry.version);
    if (existing?.state === 'ready') continue;
    byVersion.set(entry.version, { version: entry.version, state: 'loading', aliases: [], sha256: '', inFlight: 0, lastLoadError: existing?.lastLoadError ?? '' });
  }
  const aliasVersions = Object.fromEntries(aliases.flatMap((status) => (status.version === undefined ? [] : [[status.alias, status.version] as const])));
  const traffic = [
    ...policy.splits.map((split) => ({ alias: split.alias, version: aliasVersions[split.alias] ?? 0, percent: split.percent, shadow: false })),
    ...(policy.shadowAlias === undefined ? [] : [{ alias: policy.shadowAlias, version: aliasVersions[policy.shadowAlias] ?? 0, percent: policy.shadowPercent ?? 0, shadow: true }]),
  ];
  const ready = policy.splits.filter((split) => split.percent > 0).every((split) => aliasVersions[split.alias] !== undefined);
  return { modelName, ready, versions: [...byVersion.values()].sort((a, b) => a.version - b.version), aliases: aliasVersions, traffic };
}
