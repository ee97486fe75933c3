import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { GatewayForwarder } from '../gate/gateway-forwarder';
import { InferenceUpstream } from '../inference/inference-upstream';
import { OpenInferenceController } from './open-inference.controller';
import { PredictionController } from './prediction.controller';

/** The public prediction API over gRPC (strata.gateway.v1 and the Open Inference Protocol): the gate, then inference-service. */
@Module({
  imports: [ApiKeysModule],
  controllers: [PredictionController, OpenInferenceController],
  providers: [InferenceUpstream, GatewayForwarder],
  exports: [InferenceUpstream, GatewayForwarder],
})
export class PredictionsModule {}
