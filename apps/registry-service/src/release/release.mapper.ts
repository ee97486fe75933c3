import { toTimestamp } from '@strata/service-runtime';
import { registryV1 } from '@strata/contracts';
import { toAliasInfo } from '../alias/alias.mapper';
import { toTrafficPolicyMessage } from '../traffic-policy/traffic-policy.mapper';
import type { ReleaseEvent, ReleaseVersionStatus } from './release-event';
import type { ModelRelease } from './release-snapshot';
import type { WatchInput, WatchMessage } from './watch-releases';

const STATUSES: Readonly<Record<ReleaseVersionStatus, registryV1.VersionStatus>> = {
  active: registryV1.VersionStatus.VERSION_STATUS_ACTIVE,
  deprecated: registryV1.VersionStatus.VERSION_STATUS_DEPRECATED,
  archived: registryV1.VersionStatus.VERSION_STATUS_ARCHIVED,
};

/** INVALID_ARGUMENT-free parse: a from_revision that is not an integer reads as -1 and is refused by the use case. */
export function watchInputOf(request: registryV1.WatchReleasesRequest): WatchInput {
  const fromRevision = /^-?\d+$/.test(request.fromRevision) ? BigInt(request.fromRevision) : -1n;
  return { fromRevision, ...(request.modelName === '' ? {} : { modelName: request.modelName }) };
}

export function toWatchResponse(message: WatchMessage): registryV1.WatchReleasesResponse {
  switch (message.kind) {
    case 'snapshot':
      return { snapshot: { revision: message.snapshot.revision.toString(), models: message.snapshot.models.map(toModelRelease), reset: message.reset } };
    case 'event':
      return { event: toReleaseEventMessage(message.event) };
    case 'heartbeat':
      return { heartbeat: { revision: message.revision.toString(), time: toTimestamp(message.time) } };
  }
}

export function toReleaseEventMessage(event: ReleaseEvent): registryV1.ReleaseEvent {
  const message: registryV1.ReleaseEvent = {
    revision: event.revision.toString(),
    kind: registryV1.ReleaseEventKind.RELEASE_EVENT_KIND_UNSPECIFIED,
    modelName: event.modelName,
    alias: '',
    version: 0,
    previousVersion: 0,
    artifactSha256: '',
    versionStatus: registryV1.VersionStatus.VERSION_STATUS_UNSPECIFIED,
    trafficPolicy: null,
    time: toTimestamp(event.time),
    actor: event.actor,
    reason: event.reason,
  };
  const change = event.change;
  switch (change.kind) {
    case 'alias_moved':
      return {
        ...message,
        kind: registryV1.ReleaseEventKind.RELEASE_EVENT_KIND_ALIAS_MOVED,
        alias: change.alias,
        version: change.version,
        previousVersion: change.previousVersion ?? 0,
        artifactSha256: change.artifactSha256,
      };
    case 'traffic_policy_changed':
      return { ...message, kind: registryV1.ReleaseEventKind.RELEASE_EVENT_KIND_TRAFFIC_POLICY_CHANGED, trafficPolicy: toTrafficPolicyMessage(change.trafficPolicy) };
    case 'version_status_changed':
      return { ...message, kind: registryV1.ReleaseEventKind.RELEASE_EVENT_KIND_VERSION_STATUS_CHANGED, version: change.version, versionStatus: STATUSES[change.status] };
  }
}

function toModelRelease(release: ModelRelease): registryV1.ModelRelease {
  return {
    modelName: release.modelName,
    aliases: release.aliases.map(toAliasInfo),
    trafficPolicy: toTrafficPolicyMessage(release.trafficPolicy),
    versionStatuses: Object.fromEntries([...release.versionStatuses].map(([version, status]) => [version, STATUSES[status]])),
  };
}
