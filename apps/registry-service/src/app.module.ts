import { Global, Module } from '@nestjs/common';
import { prismaClientProvider } from '@strata/service-runtime';
import { AliasModule } from './alias/alias.module';
import { ApprovalModule } from './approval/approval.module';
import { AuditLogModule } from './audit-log/audit-log.module';
import { AuthModule } from './auth/auth.module';
import { REGISTRY_CONFIG, registryConfigProvider } from './config/registry.config';
import { EvidenceModule } from './evidence/evidence.module';
import { GatePolicyModule } from './gate-policy/gate-policy.module';
import { PrismaClient } from './generated/prisma/client';
import { ModelModule } from './model/model.module';
import { ModelVersionModule } from './model-version/model-version.module';
import { ReleaseModule } from './release/release.module';
import { ReleaseWatchModule } from './release/release-watch.module';
import { TrafficPolicyModule } from './traffic-policy/traffic-policy.module';

/** Settings and the database client, shared by every domain module of the registry. */
@Global()
@Module({
  providers: [registryConfigProvider, prismaClientProvider(PrismaClient)],
  exports: [REGISTRY_CONFIG, PrismaClient],
})
class RegistryCoreModule {}

/** Root module of registry-service: one module per domain noun under src/. */
@Module({
  imports: [
    RegistryCoreModule,
    AliasModule,
    ApprovalModule,
    AuditLogModule,
    AuthModule,
    EvidenceModule,
    GatePolicyModule,
    ModelModule,
    ModelVersionModule,
    ReleaseModule,
    ReleaseWatchModule,
    TrafficPolicyModule,
  ],
})
export class AppModule {}
