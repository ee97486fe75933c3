import { Module } from '@nestjs/common';
import { FeatureContractsModule } from '../feature-contracts/feature-contracts.module';
import { GateEvaluator } from './gate-evaluator';
import { GateInputsRepository } from './gate-inputs.repository';
import { GatePolicyController } from './gate-policy.controller';
import { GatePolicyRepository } from './gate-policy.repository';
import { GatePolicyService } from './gate-policy.service';
import { GateRunner } from './gate-runner';

/** Promotion gates: SetGatePolicy, GetGatePolicy, and the evaluation SetAlias, RollbackAlias and SetTrafficPolicy run. */
@Module({
  imports: [FeatureContractsModule],
  controllers: [GatePolicyController],
  providers: [GateEvaluator, GateInputsRepository, GatePolicyRepository, GatePolicyService, GateRunner],
  exports: [GateInputsRepository, GatePolicyRepository, GateRunner],
})
export class GatePolicyModule {}
