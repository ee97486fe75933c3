import { Module } from '@nestjs/common';
import { GatePolicyModule } from '../gate-policy/gate-policy.module';
import { LiveTrafficGate } from './live-traffic-gate';
import { TrafficPolicyRepository } from './traffic-policy.repository';

/**
 * The stored traffic policies and the production gate held against aliases with live traffic:
 * what alias moves and traffic policy changes both decide with (no dependency on either).
 */
@Module({
  imports: [GatePolicyModule],
  providers: [LiveTrafficGate, TrafficPolicyRepository],
  exports: [LiveTrafficGate, TrafficPolicyRepository],
})
export class LiveTrafficModule {}
