import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { GatewayForwarder } from '../gate/gateway-forwarder';
import { InferenceUpstream } from '../inference/inference-upstream';
import { PredictionController } from './prediction.controller';

/** The public prediction API (gRPC): the gate, then inference-service. */
@Module({
  imports: [ApiKeysModule],
  controllers: [PredictionController],
  providers: [InferenceUpstream, GatewayForwarder],
  exports: [InferenceUpstream, GatewayForwarder],
})
export class PredictionsModule {}
