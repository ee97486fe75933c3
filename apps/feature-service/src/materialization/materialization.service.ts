import { Injectable } from '@nestjs/common';
import { InvalidArgumentError } from '@strata/service-runtime';
import { FeatureSetService } from '../feature-set/feature-set.service';
import type { JobRecord } from '../jobs/job';
import { JobQueue } from '../jobs/job-queue';
import { materializeParamsJson } from './materialization-plan';
import { MaterializationRepository } from './materialization.repository';

/** A Materialize request in domain terms. */
export interface MaterializeRequest {
  readonly featureSet: { readonly name: string; readonly version: number };
  readonly start?: Date;
  readonly end?: Date;
  readonly offlineOnly: boolean;
}

/** Starts materializations: validates the request and enqueues (or finds) the job. */
@Injectable()
export class MaterializationService {
  constructor(
    private readonly featureSets: FeatureSetService,
    private readonly jobs: JobQueue,
    private readonly store: MaterializationRepository,
  ) {}

  /**
   * Enqueues a materialize job over [start, end) (start unset = the source's earliest event,
   * end unset = now); a pending or running job for the same feature set and range is returned
   * instead. NOT_FOUND for an unknown feature set version; INVALID_ARGUMENT for start >= end.
   */
  async materialize(request: MaterializeRequest, now = new Date()): Promise<JobRecord> {
    if (request.featureSet.version < 1) {
      throw new InvalidArgumentError('feature_set.version must be >= 1', [{ field: 'feature_set.version', description: `a materialization names an exact version (>= 1), got ${request.featureSet.version}` }]);
    }
    const end = request.end ?? now;
    if (request.start !== undefined && request.start.getTime() >= end.getTime()) {
      throw new InvalidArgumentError('start must be before end', [{ field: 'start', description: `start ${request.start.toISOString()} is not before end ${end.toISOString()}${request.end === undefined ? ' (now)' : ''}` }]);
    }
    const featureSet = await this.featureSets.get(request.featureSet);
    const earliest = request.start ?? (await this.store.earliestEventTime(featureSet.source.spec.name)) ?? end;
    // An unset start later than the end (no events before it) is an empty range: only the online values are refreshed.
    const start = new Date(Math.min(earliest.getTime(), end.getTime()));
    const { job } = await this.jobs.enqueue({
      kind: 'materialize',
      params: materializeParamsJson({ featureSet: { name: featureSet.spec.name, version: featureSet.spec.version }, featureSetId: featureSet.id, start, end, offlineOnly: request.offlineOnly }),
      activeKey: `materialize:${featureSet.id}:${start.toISOString()}:${end.toISOString()}`,
    });
    return job;
  }
}
