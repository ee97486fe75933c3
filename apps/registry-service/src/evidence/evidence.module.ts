import { Module } from '@nestjs/common';
import { ArtifactStoreModule } from '../artifact-store/artifact-store.module';
import { ModelModule } from '../model/model.module';
import { EvidenceController } from './evidence.controller';
import { EvidenceRepository } from './evidence.repository';
import { EvidenceService } from './evidence.service';

/** Evaluation evidence on versions: AddEvidence. */
@Module({
  imports: [ArtifactStoreModule, ModelModule],
  controllers: [EvidenceController],
  providers: [EvidenceRepository, EvidenceService],
})
export class EvidenceModule {}
