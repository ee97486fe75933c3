import { Module } from '@nestjs/common';
import { JobController } from './job.controller';
import { JobQueue } from './job-queue';
import { JobRepository } from './job.repository';
import { JobWorker } from './job-worker';

/**
 * Background jobs of feature-service: the queue other domains enqueue into and register
 * their handlers with, the worker that runs them, and GetJob/ListJobs/CancelJob.
 */
@Module({
  controllers: [JobController],
  providers: [JobQueue, JobRepository, JobWorker],
  exports: [JobQueue],
})
export class JobsModule {}
