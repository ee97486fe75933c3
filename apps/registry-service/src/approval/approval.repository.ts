import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../audit-log/audit-log.repository';
import { PrismaClient } from '../generated/prisma/client';

/** A stored approval (model name and version number are the caller's to add). */
export interface StoredApproval {
  readonly alias: string;
  readonly approvedBy: string;
  readonly reason: string;
  readonly approvedAt: Date;
}

/** Approvals: at most one per version, alias and approver. */
@Injectable()
export class ApprovalRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async find(tx: PrismaTx, versionId: string, alias: string, approvedBy: string): Promise<StoredApproval | undefined> {
    const row = await tx.approval.findUnique({ where: { modelVersionId_alias_approvedBy: { modelVersionId: versionId, alias, approvedBy } } });
    return row === null ? undefined : { alias: row.alias, approvedBy: row.approvedBy, reason: row.reason, approvedAt: row.createdAt };
  }

  async create(tx: PrismaTx, versionId: string, approval: Omit<StoredApproval, 'approvedAt'>): Promise<StoredApproval> {
    const row = await tx.approval.create({ data: { modelVersionId: versionId, alias: approval.alias, approvedBy: approval.approvedBy, reason: approval.reason } });
    return { alias: row.alias, approvedBy: row.approvedBy, reason: row.reason, approvedAt: row.createdAt };
  }
}
