import { Module } from '@nestjs/common';
import { GrpcModelRegistry } from '../releases/grpc-model-registry';
import { ModelRegistry } from '../releases/model-registry';
import { OpenInferenceController } from '../open-inference/open-inference.controller';
import { InferenceController } from './inference.controller';
import { ModelCatalog } from './model-catalog';
import { PredictionService } from './prediction.service';
import { ReleaseLoader } from './release-loader';
import { VersionLoader } from './version-loader';

/** Serving released models: the release loader, the catalog of loaded versions and the InferenceService RPCs. */
@Module({
  controllers: [InferenceController, OpenInferenceController],
  providers: [ModelCatalog, PredictionService, ReleaseLoader, VersionLoader, { provide: ModelRegistry, useClass: GrpcModelRegistry }],
})
export class ServingModule {}
