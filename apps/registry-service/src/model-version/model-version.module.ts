import { Module } from '@nestjs/common';
import { ArtifactStoreModule } from '../artifact-store/artifact-store.module';
import { ModelModule } from '../model/model.module';
import { ArtifactInspector } from './artifact-inspector';
import { ModelVersionController } from './model-version.controller';
import { ModelVersionRepository } from './model-version.repository';
import { ModelVersionService } from './model-version.service';
import { OnnxArtifactInspector } from './onnx-artifact-inspector';
import { RegisterVersionUseCase } from './register-version.use-case';

/**
 * Model versions: RegisterVersion, GetVersion, ListVersions, DownloadArtifact, SetVersionStatus.
 * VersionStatusEvents (the release stream's side of SetVersionStatus) is provided by the release module.
 */
@Module({
  imports: [ArtifactStoreModule, ModelModule],
  controllers: [ModelVersionController],
  providers: [ModelVersionRepository, ModelVersionService, RegisterVersionUseCase, { provide: ArtifactInspector, useClass: OnnxArtifactInspector }],
})
export class ModelVersionModule {}
