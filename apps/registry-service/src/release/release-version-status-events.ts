import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../audit-log/audit-log.repository';
import { type VersionStatusChange, VersionStatusEvents } from '../model-version/version-status-events';
import { ReleaseEventRepository } from './release-event.repository';

/**
 * SetVersionStatus's port to the release stream: a VERSION_STATUS_CHANGED event in the
 * transaction of the change. The caller holds the model's row lock already (lock order: model
 * row, then release lock). Watchers get it on the feed's next poll.
 */
@Injectable()
export class ReleaseVersionStatusEvents extends VersionStatusEvents {
  constructor(private readonly events: ReleaseEventRepository) {
    super();
  }

  append(tx: PrismaTx, change: VersionStatusChange): Promise<bigint> {
    return this.events.append(tx, {
      modelId: change.model.id,
      change: { kind: 'version_status_changed', version: change.version, status: change.status },
      actor: change.caller.subject,
      reason: change.reason,
    });
  }
}
