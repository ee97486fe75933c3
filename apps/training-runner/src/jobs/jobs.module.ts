import { Module } from '@nestjs/common';
import { JobEvents } from './job-events';
import { TrainingJobController } from './training-job.controller';
import { TrainingJobRepository } from './training-job.repository';
import { TrainingJobService } from './training-job.service';

/** Training jobs: SubmitJob/GetJob/ListJobs/CancelJob/WatchJob, the queue table and the event log. */
@Module({
  controllers: [TrainingJobController],
  providers: [JobEvents, TrainingJobRepository, TrainingJobService],
  exports: [JobEvents, TrainingJobRepository, TrainingJobService],
})
export class JobsModule {}
