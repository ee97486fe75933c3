import type { Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { trainingV1 } from '@strata/contracts';
import { sendWithBackpressure, type WritableCall } from '@strata/service-runtime';
import type { Observable } from 'rxjs';
import { planOf } from './job-spec.mapper';
import type { JobEvent } from './training-job';
import { jobFilterOf, toJobMessage, toWatchResponse } from './training-job.mapper';
import { TrainingJobService } from './training-job.service';

/** strata.training.v1.TrainingService: translates requests to {@link TrainingJobService} calls. */
@Controller()
export class TrainingJobController {
  constructor(private readonly jobs: TrainingJobService) {}

  @GrpcMethod('TrainingService', 'SubmitJob')
  async submitJob(request: trainingV1.SubmitJobRequest): Promise<trainingV1.SubmitJobResponse> {
    const plan = planOf(request.spec);
    const { job, created } = await this.jobs.submit({ request: request.spec, plan, ...(request.idempotencyKey === '' ? {} : { idempotencyKey: request.idempotencyKey }) });
    return { job: toJobMessage(job), created };
  }

  @GrpcMethod('TrainingService', 'GetJob')
  async getJob(request: trainingV1.GetJobRequest): Promise<trainingV1.GetJobResponse> {
    return { job: toJobMessage(await this.jobs.get(request.id)) };
  }

  @GrpcMethod('TrainingService', 'ListJobs')
  async listJobs(request: trainingV1.ListJobsRequest): Promise<trainingV1.ListJobsResponse> {
    const page = await this.jobs.list(jobFilterOf(request), { pageSize: request.page?.pageSize ?? 0, pageToken: request.page?.pageToken ?? '' });
    return { jobs: page.items.map(toJobMessage), page: { nextPageToken: page.nextPageToken } };
  }

  @GrpcMethod('TrainingService', 'CancelJob')
  async cancelJob(request: trainingV1.CancelJobRequest): Promise<trainingV1.CancelJobResponse> {
    return { job: toJobMessage(await this.jobs.cancel(request.id, request.reason)) };
  }

  @GrpcMethod('TrainingService', 'WatchJob')
  async watchJob(request: trainingV1.WatchJobRequest, _metadata: Metadata, call: WritableCall): Promise<Observable<trainingV1.WatchJobResponse>> {
    const gone = new AbortController();
    call.once('cancelled', () => gone.abort());
    call.once('close', () => gone.abort());
    const events = this.jobs.watch(request.id, Number(request.afterSequence), request.includeLogs, gone.signal);
    // The first event (the current status) is awaited here, so NOT_FOUND is the call's status.
    const first = await events.next();
    if (first.done === true) throw new Error(`WatchJob of ${request.id} produced no first event`);
    return sendWithBackpressure(call, toWatchResponse(first.value), mapEvents(events));
  }
}

async function* mapEvents(events: AsyncIterable<JobEvent>): AsyncGenerator<trainingV1.WatchJobResponse> {
  for await (const event of events) yield toWatchResponse(event);
}
