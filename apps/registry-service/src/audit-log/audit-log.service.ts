import { type Page, pageOf, type PageRequest, pageSizeOf, PageTokens } from '@strata/service-runtime';
import { Injectable } from '@nestjs/common';
import { RegisteredModelRepository } from '../release/registered-model.repository';
import { RequestCheck, requireModel } from '../release/request-checks';
import type { AuditAction, AuditEntry } from './audit-entry';
import { AuditLogRepository } from './audit-log.repository';

/** GetAuditLog as the domain sees it. */
export interface AuditLogQuery {
  readonly modelName: string;
  readonly page: PageRequest;
  /** Only this action; undefined = any. */
  readonly action?: AuditAction;
  /** Half-open [from, to); either end may be open. */
  readonly from?: Date;
  readonly to?: Date;
}

const ENTRY_ID = /^[0-9a-f-]{36}$/;
const tokens = new PageTokens<string>((value): value is string => typeof value === 'string' && ENTRY_ID.test(value));

/** Reads a model's audit log, newest first, in pages. */
@Injectable()
export class AuditLogService {
  constructor(
    private readonly models: RegisteredModelRepository,
    private readonly auditLog: AuditLogRepository,
  ) {}

  async read(query: AuditLogQuery): Promise<Page<AuditEntry>> {
    new RequestCheck()
      .that(query.from === undefined || query.to === undefined || query.from < query.to, 'time_range', 'end must be after start')
      .orThrow('GetAuditLog request');
    const pageSize = pageSizeOf(query.page);
    const filters = { action: query.action ?? null, from: query.from?.toISOString() ?? null, to: query.to?.toISOString() ?? null };
    const afterId = tokens.decode(query.page.pageToken, filters);
    const model = await requireModel(this.models, query.modelName);
    const rows = await this.auditLog.find({
      modelName: model.name,
      limit: pageSize + 1,
      ...(afterId === undefined ? {} : { afterId }),
      ...(query.action === undefined ? {} : { action: query.action }),
      ...(query.from === undefined ? {} : { from: query.from }),
      ...(query.to === undefined ? {} : { to: query.to }),
    });
    return pageOf(rows, pageSize, (entry) => entry.id, tokens, filters);
  }
}
