import { Module } from '@nestjs/common';
import { GatePolicyModule } from '../gate-policy/gate-policy.module';
import { LiveTrafficModule } from '../traffic-policy/live-traffic.module';
import { AliasController } from './alias.controller';
import { AliasRepository } from './alias.repository';
import { AliasService } from './alias.service';
import { PromoteVersion } from './promote-version';
import { RollbackAlias } from './rollback-alias';

/** Aliases: gated, compare-and-set moves (SetAlias), rollbacks, reads. */
@Module({
  imports: [GatePolicyModule, LiveTrafficModule],
  controllers: [AliasController],
  providers: [AliasRepository, AliasService, PromoteVersion, RollbackAlias],
  exports: [AliasRepository],
})
export class AliasModule {}
