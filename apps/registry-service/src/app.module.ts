import { Global, Module } from '@nestjs/common';
import { prismaClientProvider } from '@strata/service-runtime';
import { AuditLogModule } from './audit-log/audit-log.module';
import { AuthModule } from './auth/auth.module';
import { REGISTRY_CONFIG, registryConfigProvider } from './config/registry.config';
import { PrismaClient } from './generated/prisma/client';

/** Settings and the database client, shared by every domain module of the registry. */
@Global()
@Module({
  providers: [registryConfigProvider, prismaClientProvider(PrismaClient)],
  exports: [REGISTRY_CONFIG, PrismaClient],
})
class RegistryCoreModule {}

/** Root module of registry-service: one module per domain noun under src/. */
@Module({
  imports: [RegistryCoreModule, AuthModule, AuditLogModule],
})
export class AppModule {}
