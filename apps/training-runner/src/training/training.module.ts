import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { KubernetesLauncher } from './kubernetes-launcher';
import { LocalTrainingExecutor } from './local-training-executor';
import { RunTrainingJob } from './run-training-job.use-case';
import { TrainingWorker } from './training-worker';

/** Running jobs: the worker that claims them, the training pipeline and the local executor. */
@Module({
  imports: [JobsModule],
  providers: [KubernetesLauncher, LocalTrainingExecutor, RunTrainingJob, TrainingWorker],
  exports: [TrainingWorker],
})
export class TrainingModule {}
