import { Module, type OnModuleInit } from '@nestjs/common';
import { JobQueue } from '../jobs/job-queue';
import { JobsModule } from '../jobs/jobs.module';
import { SourceModule } from '../source/source.module';
import { QuarantineController } from './quarantine.controller';
import { QuarantineRepository } from './quarantine.repository';
import { QuarantineService } from './quarantine.service';
import { ReplayJobHandler } from './replay-job.handler';

/** ListQuarantine, ReplayQuarantine and the `replay` job handler. */
@Module({
  imports: [JobsModule, SourceModule],
  controllers: [QuarantineController],
  providers: [QuarantineRepository, QuarantineService, ReplayJobHandler],
})
export class QuarantineModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobQueue,
    private readonly handler: ReplayJobHandler,
  ) {}

  onModuleInit(): void {
    this.jobs.register(this.handler);
  }
}
