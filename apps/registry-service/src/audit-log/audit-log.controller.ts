import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { registryV1 } from '@strata/contracts';
import { auditLogQueryOf, toAuditEntryMessage } from './audit-log.mapper';
import { AuditLogService } from './audit-log.service';

/** GetAuditLog of strata.registry.v1.RegistryService. */
@Controller()
export class AuditLogController {
  constructor(private readonly auditLog: AuditLogService) {}

  @GrpcMethod('RegistryService', 'GetAuditLog')
  async getAuditLog(request: registryV1.GetAuditLogRequest): Promise<registryV1.GetAuditLogResponse> {
    const page = await this.auditLog.read(auditLogQueryOf(request));
    return { entries: page.items.map(toAuditEntryMessage), page: { nextPageToken: page.nextPageToken } };
  }
}
