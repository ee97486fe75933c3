import { Module } from '@nestjs/common';
import { AliasModule } from '../alias/alias.module';
import { TrafficPolicyModule } from '../traffic-policy/traffic-policy.module';
import { ReleaseController } from './release.controller';
import { ReleaseSnapshotReader } from './release-snapshot.reader';
import { WatchReleases } from './watch-releases';

/** The release stream: WatchReleases (snapshot, replay, live events, heartbeats). */
@Module({
  imports: [AliasModule, TrafficPolicyModule],
  controllers: [ReleaseController],
  providers: [ReleaseSnapshotReader, WatchReleases],
})
export class ReleaseWatchModule {}
