import { Global, Module } from '@nestjs/common';
import { AuditLogRepository } from './audit-log.repository';

/** The audit log every mutating use case appends to, in its own transaction. */
@Global()
@Module({ providers: [AuditLogRepository], exports: [AuditLogRepository] })
export class AuditLogModule {}
