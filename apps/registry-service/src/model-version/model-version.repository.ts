import { Injectable } from '@nestjs/common';
import type { AuditRecord } from '../audit-log/audit-entry';
import { AuditLogRepository, type PrismaTx } from '../audit-log/audit-log.repository';
import type { Caller } from '../auth/caller';
import { evidenceFromStored } from '../evidence/evidence';
import { type ModelVersionStatus, Prisma, PrismaClient } from '../generated/prisma/client';
import type { ModelKey } from '../model/model';
import type { ArtifactInfo, InputBinding, Lineage, ModelSignature, ModelVersion, TensorSpec, VersionMetadata, VersionStatus } from './model-version';
import { versionNotFound } from './model-version.errors';
import { VersionStatusEvents } from './version-status-events';

/** A version about to be inserted: its verified artifact, its signature and the header's metadata. */
export interface NewVersion extends VersionMetadata {
  readonly artifact: ArtifactInfo;
  readonly signature: ModelSignature;
  readonly createdBy: string;
}

/** What SetVersionStatus decided about the current version: the new status, or undefined for "unchanged". */
export type StatusDecision = (current: ModelVersion) => VersionStatus | undefined;

/**
 * `model_versions.signature` (jsonb): the artifact's signature, plus the registration fields
 * that have no column yet (declared signature, input bindings, description, registering subject).
 */
interface StoredSignature {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  readonly registration?: {
    readonly declaredSignature: ModelSignature | null;
    readonly inputBindings: InputBinding[];
    readonly description: string;
    readonly createdBy: string;
  };
}

const WITH_ALIASES_AND_EVIDENCE = {
  aliases: { select: { name: true }, orderBy: { name: 'asc' } },
  evidence: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
} satisfies Prisma.ModelVersionInclude;

type VersionRow = Prisma.ModelVersionGetPayload<{ include: typeof WITH_ALIASES_AND_EVIDENCE }>;

const STATUS_TO_ROW: Record<VersionStatus, ModelVersionStatus> = { active: 'ready', deprecated: 'deprecated', archived: 'archived' };
const STATUS_OF_ROW: Record<ModelVersionStatus, VersionStatus> = { ready: 'active', deprecated: 'deprecated', archived: 'archived' };

// Interactive transactions may queue behind others on PGlite's single connection.
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 };

/** Model versions with their aliases, alias history and evidence. The only Prisma user of the model-version domain. */
@Injectable()
export class ModelVersionRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly auditLog: AuditLogRepository,
    private readonly statusEvents: VersionStatusEvents,
  ) {}

  async findByNumber(model: ModelKey, version: number, db: PrismaTx = this.prisma): Promise<ModelVersion | undefined> {
    const row = await db.modelVersion.findUnique({ where: { modelId_version: { modelId: model.id, version } }, include: WITH_ALIASES_AND_EVIDENCE });
    return row === null ? undefined : (await this.hydrate(db, model, [row]))[0];
  }

  async findByDigest(model: ModelKey, sha256: string): Promise<ModelVersion | undefined> {
    const row = await this.prisma.modelVersion.findUnique({ where: { modelId_artifactDigest: { modelId: model.id, artifactDigest: sha256 } }, include: WITH_ALIASES_AND_EVIDENCE });
    return row === null ? undefined : (await this.hydrate(this.prisma, model, [row]))[0];
  }

  /** The version an alias of the model points at, read from the aliases table. */
  async findByAlias(model: ModelKey, alias: string): Promise<ModelVersion | undefined> {
    const target = await this.prisma.alias.findUnique({ where: { modelId_name: { modelId: model.id, name: alias } }, select: { version: true } });
    return target === null ? undefined : this.findByNumber(model, target.version);
  }

  async findLatest(model: ModelKey): Promise<ModelVersion | undefined> {
    const row = await this.prisma.modelVersion.findFirst({ where: { modelId: model.id }, orderBy: { version: 'desc' }, include: WITH_ALIASES_AND_EVIDENCE });
    return row === null ? undefined : (await this.hydrate(this.prisma, model, [row]))[0];
  }

  /** Versions newest first, below `beforeVersion`, in `status` (any when undefined), at most `limit`. */
  async list(model: ModelKey, status: VersionStatus | undefined, beforeVersion: number | undefined, limit: number): Promise<ModelVersion[]> {
    const rows = await this.prisma.modelVersion.findMany({
      where: {
        modelId: model.id,
        ...(status === undefined ? {} : { status: STATUS_TO_ROW[status] }),
        ...(beforeVersion === undefined ? {} : { version: { lt: beforeVersion } }),
      },
      orderBy: { version: 'desc' },
      take: limit,
      include: WITH_ALIASES_AND_EVIDENCE,
    });
    return this.hydrate(this.prisma, model, rows);
  }

  /**
   * Inserts the version under the next number, or returns the model's version with the same
   * artifact digest. Versions of one model are numbered one at a time: the model row stays
   * locked until the insert and its audit entry (`auditOf(version)`) commit.
   */
  async registerNext(model: ModelKey, input: NewVersion, auditOf: (version: ModelVersion) => AuditRecord): Promise<{ version: ModelVersion; alreadyExisted: boolean }> {
    const outcome = await this.prisma.$transaction(async (tx) => {
      await lockModel(tx, model);
      const existing = await tx.modelVersion.findUnique({ where: { modelId_artifactDigest: { modelId: model.id, artifactDigest: input.artifact.sha256 } }, select: { version: true } });
      if (existing !== null) return { existingNumber: existing.version };
      const { _max } = await tx.modelVersion.aggregate({ where: { modelId: model.id }, _max: { version: true } });
      const row = await tx.modelVersion.create({ data: newVersionRow(model, (_max.version ?? 0) + 1, input), include: WITH_ALIASES_AND_EVIDENCE });
      // A new version has no aliases, alias history or evidence yet.
      const created = toModelVersion(model, row, []);
      await this.auditLog.append(tx, auditOf(created));
      return { created };
    }, TRANSACTION_OPTIONS);
    if (outcome.created !== undefined) return { version: outcome.created, alreadyExisted: false };
    const version = await this.findByNumber(model, outcome.existingNumber);
    if (version === undefined) throw versionNotFound(model.name, outcome.existingNumber);
    return { version, alreadyExisted: true };
  }

  /**
   * Applies `decide` to the current version with the model row locked (so no alias moves or
   * registration interleave); when it returns a new status, updates it, appends the
   * VERSION_STATUS_CHANGED release event and the audit entry in the same transaction.
   * Returns the version after the change and the event's revision (0 when unchanged).
   */
  async changeStatus(
    model: ModelKey,
    version: number,
    change: { readonly decide: StatusDecision; readonly caller: Caller; readonly reason: string; readonly auditOf: (before: ModelVersion, after: ModelVersion, revision: bigint) => AuditRecord },
  ): Promise<{ version: ModelVersion; revision: bigint }> {
    return this.prisma.$transaction(async (tx) => {
      await lockModel(tx, model);
      const current = await this.findByNumber(model, version, tx);
      if (current === undefined) throw versionNotFound(model.name, version);
      const status = change.decide(current);
      if (status === undefined) return { version: current, revision: 0n };
      await tx.modelVersion.update({ where: { id: current.id }, data: { status: STATUS_TO_ROW[status] } });
      const revision = await this.statusEvents.append(tx, { model, version, status, caller: change.caller, reason: change.reason });
      const updated: ModelVersion = { ...current, status };
      await this.auditLog.append(tx, change.auditOf(current, updated, revision));
      return { version: updated, revision };
    }, TRANSACTION_OPTIONS);
  }

  private async hydrate(db: PrismaTx, model: ModelKey, rows: readonly VersionRow[]): Promise<ModelVersion[]> {
    if (rows.length === 0) return [];
    const history = await db.aliasHistory.findMany({
      where: { modelId: model.id, toVersion: { in: rows.map((row) => row.version) } },
      select: { alias: true, toVersion: true },
      distinct: ['alias', 'toVersion'],
      orderBy: { alias: 'asc' },
    });
    return rows.map((row) => toModelVersion(model, row, history.filter((move) => move.toVersion === row.version).map((move) => move.alias)));
  }
}

async function lockModel(tx: PrismaTx, model: ModelKey): Promise<void> {
  await tx.$queryRaw`SELECT id FROM models WHERE id = ${model.id}::uuid FOR UPDATE`;
}

function newVersionRow(model: ModelKey, version: number, input: NewVersion): Prisma.ModelVersionUncheckedCreateInput {
  const signature: StoredSignature = {
    inputs: [...input.signature.inputs],
    outputs: [...input.signature.outputs],
    registration: {
      declaredSignature: input.declaredSignature ?? null,
      inputBindings: [...input.inputBindings],
      description: input.description,
      createdBy: input.createdBy,
    },
  };
  return {
    modelId: model.id,
    version,
    artifactDigest: input.artifact.sha256,
    sizeBytes: BigInt(input.artifact.sizeBytes),
    format: input.artifact.format,
    signature: toJson(signature),
    metrics: toJson(input.metrics),
    params: toJson(input.params),
    lineage: toJson(input.lineage),
    tags: toJson(input.tags),
  };
}

function toModelVersion(model: ModelKey, row: VersionRow, aliasHistory: string[]): ModelVersion {
  const signature = row.signature as unknown as StoredSignature;
  const registration = signature.registration;
  return {
    id: row.id,
    modelId: model.id,
    modelName: model.name,
    version: row.version,
    status: STATUS_OF_ROW[row.status],
    artifact: { format: 'onnx', sha256: row.artifactDigest, sizeBytes: Number(row.sizeBytes) },
    signature: { inputs: signature.inputs, outputs: signature.outputs },
    declaredSignature: registration?.declaredSignature ?? undefined,
    inputBindings: registration?.inputBindings ?? [],
    metrics: row.metrics as Record<string, number>,
    params: row.params as Record<string, string>,
    lineage: lineageOf(row.lineage),
    tags: row.tags as Record<string, string>,
    description: registration?.description ?? '',
    aliases: row.aliases.map((alias) => alias.name),
    aliasHistory,
    evidence: row.evidence.map(evidenceFromStored),
    createdBy: registration?.createdBy ?? '',
    createdAt: row.createdAt,
  };
}

function lineageOf(json: unknown): Lineage {
  const stored = (json ?? {}) as Partial<Lineage>;
  return {
    trainingJobId: stored.trainingJobId ?? '',
    datasetSnapshotId: stored.datasetSnapshotId ?? '',
    datasetSnapshotDigest: stored.datasetSnapshotDigest ?? '',
    featureContracts: stored.featureContracts ?? [],
    codeVersion: stored.codeVersion ?? '',
  };
}

function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}
