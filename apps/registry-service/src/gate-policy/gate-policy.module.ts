import { Module } from '@nestjs/common';
import { GateEvaluator } from './gate-evaluator';
import { GateInputsRepository } from './gate-inputs.repository';
import { GatePolicyController } from './gate-policy.controller';
import { GatePolicyRepository } from './gate-policy.repository';
import { GatePolicyService } from './gate-policy.service';

/** Promotion gates: SetGatePolicy, GetGatePolicy, and the evaluation SetAlias runs. */
@Module({
  controllers: [GatePolicyController],
  providers: [GateEvaluator, GateInputsRepository, GatePolicyRepository, GatePolicyService],
  exports: [GateEvaluator, GateInputsRepository, GatePolicyRepository],
})
export class GatePolicyModule {}
