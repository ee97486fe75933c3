import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { featuresV1 } from '@strata/contracts';
import { JobQueue } from './job-queue';
import { jobFilterOf, pageRequestOf, toJobMessage } from './job.mapper';

/** GetJob, ListJobs and CancelJob of strata.features.v1.FeatureService. */
@Controller()
export class JobController {
  constructor(private readonly queue: JobQueue) {}

  @GrpcMethod('FeatureService', 'GetJob')
  async getJob(request: featuresV1.GetJobRequest): Promise<featuresV1.GetJobResponse> {
    return { job: toJobMessage(await this.queue.get(request.id)) };
  }

  @GrpcMethod('FeatureService', 'ListJobs')
  async listJobs(request: featuresV1.ListJobsRequest): Promise<featuresV1.ListJobsResponse> {
    const page = await this.queue.list(jobFilterOf(request), pageRequestOf(request.page));
    return { jobs: page.items.map(toJobMessage), page: { nextPageToken: page.nextPageToken } };
  }

  @GrpcMethod('FeatureService', 'CancelJob')
  async cancelJob(request: featuresV1.CancelJobRequest): Promise<featuresV1.CancelJobResponse> {
    return { job: toJobMessage(await this.queue.cancel(request.id)) };
  }
}
