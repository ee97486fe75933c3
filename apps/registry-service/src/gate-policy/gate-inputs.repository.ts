import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../audit-log/audit-log.repository';
import type { FeatureContractRef } from '../feature-contracts/feature-contract';
import { PrismaClient } from '../generated/prisma/client';
import type { ReleaseVersionStatus } from '../release/release-event';
import { releaseStatusOf } from '../release/version-status';
import type { EvidenceRecord, PastAliasMove, VersionMetrics } from './gate-evaluator';

/** A version as promotion reads it: identity, status, artifact digest, metrics, evidence and pinned feature contracts. */
export interface GatedVersion extends VersionMetrics {
  readonly id: string;
  readonly status: ReleaseVersionStatus;
  readonly artifactSha256: string;
  readonly featureContracts: readonly FeatureContractRef[];
}

// model_versions.lineage and evidence.payload as src/model-version and src/evidence store them.
interface StoredLineage {
  readonly featureContracts?: readonly { readonly featureSet?: { readonly name?: string; readonly version?: number }; readonly digest?: string }[];
}
interface StoredEvidencePayload {
  readonly metrics?: Record<string, number>;
  readonly testResults?: readonly { readonly passed?: boolean }[];
  readonly passed?: boolean;
}

/** Reads what gate rules and alias moves decide on. */
@Injectable()
export class GateInputsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async version(modelId: string, version: number, tx: PrismaTx = this.prisma): Promise<GatedVersion | undefined> {
    const row = await tx.modelVersion.findUnique({
      where: { modelId_version: { modelId, version } },
      select: { id: true, version: true, status: true, artifactDigest: true, metrics: true, lineage: true, evidence: { select: { name: true, payload: true } } },
    });
    if (row === null) return undefined;
    const lineage = (row.lineage ?? {}) as StoredLineage;
    return {
      id: row.id,
      version: row.version,
      status: releaseStatusOf(row.status),
      artifactSha256: row.artifactDigest,
      metrics: numbersOf(row.metrics),
      evidence: new Map(row.evidence.map((evidence) => [evidence.name, evidenceRecordOf(evidence.payload as StoredEvidencePayload)])),
      featureContracts: (lineage.featureContracts ?? []).map((contract) => ({
        featureSet: contract.featureSet?.name ?? '',
        version: contract.featureSet?.version ?? 0,
        digest: contract.digest ?? '',
      })),
    };
  }

  /** The version an alias of a model points at; undefined when the alias does not exist. */
  async aliasVersion(tx: PrismaTx, modelId: string, alias: string): Promise<number | undefined> {
    const row = await tx.alias.findUnique({ where: { modelId_name: { modelId, name: alias } }, select: { version: true } });
    return row?.version;
  }

  /** Every move of the given aliases of a model, oldest first. */
  async aliasMoves(tx: PrismaTx, modelId: string, aliases: readonly string[]): Promise<PastAliasMove[]> {
    if (aliases.length === 0) return [];
    const rows = await tx.aliasHistory.findMany({
      where: { modelId, alias: { in: [...aliases] } },
      orderBy: { revision: 'asc' },
      select: { alias: true, toVersion: true, movedAt: true },
    });
    return rows.map((row) => ({ alias: row.alias, toVersion: row.toVersion, at: row.movedAt }));
  }

  /** Subjects that approved the version for the alias. */
  async approvers(tx: PrismaTx, versionId: string, alias: string): Promise<string[]> {
    const rows = await tx.approval.findMany({ where: { modelVersionId: versionId, alias }, select: { approvedBy: true }, orderBy: { approvedBy: 'asc' } });
    return rows.map((row) => row.approvedBy);
  }
}

function evidenceRecordOf(payload: StoredEvidencePayload): EvidenceRecord {
  return { metrics: numbersOf(payload.metrics), passed: payload.passed ?? (payload.testResults ?? []).every((test) => test.passed === true) };
}

function numbersOf(json: unknown): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, value] of Object.entries((json ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'number') result[key] = value;
  }
  return result;
}
