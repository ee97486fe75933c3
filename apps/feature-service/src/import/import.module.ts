import { Module, type OnModuleInit } from '@nestjs/common';
import { IngestionModule } from '../ingestion/ingestion.module';
import { JobQueue } from '../jobs/job-queue';
import { JobsModule } from '../jobs/jobs.module';
import { SourceModule } from '../source/source.module';
import { ImportController } from './import.controller';
import { ImportJobHandler } from './import-job.handler';
import { ImportService } from './import.service';

/** ImportFile: the RPC and the `import` job handler that streams a file into a source. */
@Module({
  imports: [IngestionModule, JobsModule, SourceModule],
  controllers: [ImportController],
  providers: [ImportJobHandler, ImportService],
})
export class ImportModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobQueue,
    private readonly handler: ImportJobHandler,
  ) {}

  onModuleInit(): void {
    this.jobs.register(this.handler);
  }
}
