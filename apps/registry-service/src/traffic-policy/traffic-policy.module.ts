import { Module } from '@nestjs/common';
import { AliasModule } from '../alias/alias.module';
import { GatePolicyModule } from '../gate-policy/gate-policy.module';
import { LiveTrafficModule } from './live-traffic.module';
import { TrafficPolicyController } from './traffic-policy.controller';
import { TrafficPolicyService } from './traffic-policy.service';

/** Traffic policies: percent splits across aliases (gated like production) and an optional shadow. */
@Module({
  imports: [AliasModule, GatePolicyModule, LiveTrafficModule],
  controllers: [TrafficPolicyController],
  providers: [TrafficPolicyService],
  exports: [LiveTrafficModule],
})
export class TrafficPolicyModule {}
