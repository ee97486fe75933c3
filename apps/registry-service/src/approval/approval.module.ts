import { Module } from '@nestjs/common';
import { GatePolicyModule } from '../gate-policy/gate-policy.module';
import { ApprovalController } from './approval.controller';
import { ApprovalRepository } from './approval.repository';
import { ApprovalService } from './approval.service';

/** Human sign-offs of versions for aliases: ApproveVersion. */
@Module({
  imports: [GatePolicyModule],
  controllers: [ApprovalController],
  providers: [ApprovalRepository, ApprovalService],
})
export class ApprovalModule {}
