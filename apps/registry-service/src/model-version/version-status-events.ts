import type { PrismaTx } from '../audit-log/audit-log.repository';
import type { Caller } from '../auth/caller';
import type { ModelKey } from '../model/model';
import type { VersionStatus } from './model-version';

/** A committed change of a version's status, as the release stream reports it. */
export interface VersionStatusChange {
  readonly model: ModelKey;
  readonly version: number;
  readonly status: VersionStatus;
  readonly caller: Caller;
  readonly reason: string;
}

/**
 * The release stream's side of SetVersionStatus: appends a VERSION_STATUS_CHANGED release
 * event in the transaction of the status change and returns its revision. The release
 * domain owns the event log and WatchReleases; this port keeps model-version independent of it.
 */
export abstract class VersionStatusEvents {
  abstract append(tx: PrismaTx, change: VersionStatusChange): Promise<bigint>;
}
