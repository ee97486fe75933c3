import { Module, type OnModuleInit } from '@nestjs/common';
import { FeatureSetModule } from '../feature-set/feature-set.module';
import { JobQueue } from '../jobs/job-queue';
import { JobsModule } from '../jobs/jobs.module';
import { OnlineModule } from '../online/online.module';
import { MaterializeJobHandler } from './materialize-job.handler';
import { MaterializationController } from './materialization.controller';
import { MaterializationRepository } from './materialization.repository';
import { MaterializationService } from './materialization.service';

/** Materialize: the RPC, and the job handler writing the offline tiles and the online values. */
@Module({
  imports: [FeatureSetModule, JobsModule, OnlineModule],
  controllers: [MaterializationController],
  providers: [MaterializationRepository, MaterializationService, MaterializeJobHandler],
})
export class MaterializationModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobQueue,
    private readonly handler: MaterializeJobHandler,
  ) {}

  onModuleInit(): void {
    this.jobs.register(this.handler);
  }
}
