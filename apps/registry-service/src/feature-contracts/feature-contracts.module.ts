import { Module } from '@nestjs/common';
import { FeatureContractChecker } from './feature-contract';
import { GrpcFeatureContractChecker } from './grpc-feature-contract-checker';

/** The port to the feature service that gates with require_feature_contract_served ask. */
@Module({
  providers: [{ provide: FeatureContractChecker, useClass: GrpcFeatureContractChecker }],
  exports: [FeatureContractChecker],
})
export class FeatureContractsModule {}
