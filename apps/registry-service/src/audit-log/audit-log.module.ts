import { Global, Module } from '@nestjs/common';
import { AuditLogController } from './audit-log.controller';
import { AuditLogRepository } from './audit-log.repository';
import { AuditLogService } from './audit-log.service';

/** The audit log every mutating use case appends to, in its own transaction; GetAuditLog reads it. */
@Global()
@Module({ controllers: [AuditLogController], providers: [AuditLogRepository, AuditLogService], exports: [AuditLogRepository] })
export class AuditLogModule {}
