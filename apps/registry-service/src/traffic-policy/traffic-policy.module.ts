import { Module } from '@nestjs/common';
import { AliasModule } from '../alias/alias.module';
import { TrafficPolicyController } from './traffic-policy.controller';
import { TrafficPolicyRepository } from './traffic-policy.repository';
import { TrafficPolicyService } from './traffic-policy.service';

/** Traffic policies: percent splits across aliases and an optional shadow. */
@Module({
  imports: [AliasModule],
  controllers: [TrafficPolicyController],
  providers: [TrafficPolicyRepository, TrafficPolicyService],
  exports: [TrafficPolicyRepository],
})
export class TrafficPolicyModule {}
