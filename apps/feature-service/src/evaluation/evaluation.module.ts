import { Module } from '@nestjs/common';
import { EvaluationRepository } from './evaluation.repository';
import { FeatureEvaluator } from './feature-evaluator';

/** Exact feature evaluation at (entity, instant) targets, over tiles or raw events. */
@Module({
  providers: [EvaluationRepository, FeatureEvaluator],
  exports: [FeatureEvaluator],
})
export class EvaluationModule {}
