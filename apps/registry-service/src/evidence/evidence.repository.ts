import { Injectable } from '@nestjs/common';
import type { AuditRecord } from '../audit-log/audit-entry';
import { AuditLogRepository } from '../audit-log/audit-log.repository';
import type { Caller } from '../auth/caller';
import { Prisma, PrismaClient } from '../generated/prisma/client';
import type { ModelKey } from '../model/model';
import { type Evidence, type EvidenceContent, evidenceFromStored, toStoredPayload } from './evidence';

/** Kind of every evidence row written through AddEvidence. */
const EVALUATION_KIND = 'evaluation';

/** Evidence rows of model versions. The only Prisma user of the evidence domain. */
@Injectable()
export class EvidenceRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly auditLog: AuditLogRepository,
  ) {}

  /** The row ID of a model's version, or undefined when it has no such version. */
  async findVersionId(model: ModelKey, version: number): Promise<string | undefined> {
    const row = await this.prisma.modelVersion.findUnique({ where: { modelId_version: { modelId: model.id, version } }, select: { id: true } });
    return row?.id;
  }

  /**
   * Stores the evidence unless the version already has evidence of that name, in which case
   * the existing one is returned (created = false). The audit entry commits with the insert.
   */
  async addIfAbsent(
    versionId: string,
    name: string,
    content: EvidenceContent,
    caller: Caller,
    auditOf: (evidence: Evidence) => AuditRecord,
  ): Promise<{ evidence: Evidence; created: boolean }> {
    const existing = await this.find(versionId, name);
    if (existing !== undefined) return { evidence: existing, created: false };
    try {
      const evidence = await this.prisma.$transaction(async (tx) => {
        const row = await tx.evidence.create({
          data: { modelVersionId: versionId, name, kind: EVALUATION_KIND, payload: toStoredPayload(content) as unknown as Prisma.InputJsonValue, addedBy: caller.subject },
        });
        const created = evidenceFromStored(row);
        await this.auditLog.append(tx, auditOf(created));
        return created;
      });
      return { evidence, created: true };
    } catch (error) {
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
      const winner = await this.find(versionId, name);
      if (winner === undefined) throw error;
      return { evidence: winner, created: false };
    }
  }

  private async find(versionId: string, name: string): Promise<Evidence | undefined> {
    const row = await this.prisma.evidence.findUnique({ where: { modelVersionId_name: { modelVersionId: versionId, name } } });
    return row === null ? undefined : evidenceFromStored(row);
  }
}
