import type { ModelVersionStatus } from '../generated/prisma/enums';
import type { ReleaseVersionStatus } from './release-event';

/** The stored status (`ready` in the table) as the release side names it (`active`, as in the proto). */
export function releaseStatusOf(stored: ModelVersionStatus): ReleaseVersionStatus {
  return stored === 'ready' ? 'active' : stored;
}
