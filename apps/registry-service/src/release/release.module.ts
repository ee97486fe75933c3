import { Global, Module } from '@nestjs/common';
import { VersionStatusEvents } from '../model-version/version-status-events';
import { Clock, SystemClock } from './clock';
import { RegisteredModelRepository } from './registered-model.repository';
import { ReleaseEventRepository } from './release-event.repository';
import { DEFAULT_RELEASE_STREAM_TIMING, RELEASE_STREAM_TIMING, ReleaseFeed } from './release-feed';
import { ReleaseTransaction } from './release-transaction';
import { ReleaseVersionStatusEvents } from './release-version-status-events';

/**
 * The release event log every release-state change goes through: ReleaseEventRepository
 * (append in the change's transaction), ReleaseTransaction, the live ReleaseFeed, and the
 * VersionStatusEvents port SetVersionStatus uses. Global, so any domain can record a change.
 */
@Global()
@Module({
  providers: [
    RegisteredModelRepository,
    ReleaseEventRepository,
    ReleaseFeed,
    ReleaseTransaction,
    { provide: Clock, useClass: SystemClock },
    { provide: RELEASE_STREAM_TIMING, useValue: DEFAULT_RELEASE_STREAM_TIMING },
    { provide: VersionStatusEvents, useClass: ReleaseVersionStatusEvents },
  ],
  exports: [Clock, RegisteredModelRepository, ReleaseEventRepository, ReleaseFeed, ReleaseTransaction, RELEASE_STREAM_TIMING, VersionStatusEvents],
})
export class ReleaseModule {}
