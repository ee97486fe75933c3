import { Injectable } from '@nestjs/common';
import type { AuditRecord } from '../audit-log/audit-entry';
import { AuditLogRepository } from '../audit-log/audit-log.repository';
import { Prisma, PrismaClient } from '../generated/prisma/client';
import type { Model, ModelFilter, ModelKey, NewModel } from './model';

type ModelRow = Prisma.ModelGetPayload<object>;

/** Registered models, with their latest version number and aliases. The only Prisma user of the model domain. */
@Injectable()
export class ModelRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly auditLog: AuditLogRepository,
  ) {}

  async findByName(name: string): Promise<Model | undefined> {
    const row = await this.prisma.model.findUnique({ where: { name } });
    if (row === null) return undefined;
    const [model] = await this.withVersionsAndAliases([row]);
    return model;
  }

  /** The model's identity only (one query), for domains that work under a model. */
  async findKeyByName(name: string): Promise<ModelKey | undefined> {
    return (await this.prisma.model.findUnique({ where: { name }, select: { id: true, name: true } })) ?? undefined;
  }

  /**
   * Creates the model unless one with its name exists, and appends `auditOf(created)` in
   * the same transaction. A concurrent create of the same name ends as "existed".
   */
  async createIfAbsent(input: NewModel, auditOf: (model: Model) => AuditRecord): Promise<{ model: Model; created: boolean }> {
    const existing = await this.findByName(input.name);
    if (existing !== undefined) return { model: existing, created: false };
    try {
      const model = await this.prisma.$transaction(async (tx) => {
        const row = await tx.model.create({ data: { name: input.name, description: input.description, owner: input.owner, tags: { ...input.tags } } });
        const created = toModel(row, 0, {});
        await this.auditLog.append(tx, auditOf(created));
        return created;
      });
      return { model, created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.findByName(input.name);
      if (winner === undefined) throw error;
      return { model: winner, created: false };
    }
  }

  /** Models matching `filter`, ordered by name, after `afterName`, at most `limit`. */
  async list(filter: ModelFilter, afterName: string | undefined, limit: number): Promise<Model[]> {
    const where: Prisma.ModelWhereInput = {
      ...(afterName === undefined ? {} : { name: { gt: afterName } }),
      ...(filter.owner === undefined ? {} : { owner: filter.owner }),
      ...(filter.tag === undefined
        ? {}
        : { tags: filter.tag.value === undefined ? { path: [filter.tag.key], not: Prisma.AnyNull } : { path: [filter.tag.key], equals: filter.tag.value } }),
    };
    const rows = await this.prisma.model.findMany({ where, orderBy: { name: 'asc' }, take: limit });
    return this.withVersionsAndAliases(rows);
  }

  private async withVersionsAndAliases(rows: readonly ModelRow[]): Promise<Model[]> {
    if (rows.length === 0) return [];
    const modelIds = rows.map((row) => row.id);
    const [latest, aliases] = await Promise.all([
      this.prisma.modelVersion.groupBy({ by: ['modelId'], where: { modelId: { in: modelIds } }, _max: { version: true } }),
      this.prisma.alias.findMany({ where: { modelId: { in: modelIds } }, orderBy: { name: 'asc' }, select: { modelId: true, name: true, version: true } }),
    ]);
    const latestByModel = new Map(latest.map((group) => [group.modelId, group._max.version ?? 0]));
    return rows.map((row) => {
      const modelAliases = Object.fromEntries(aliases.filter((alias) => alias.modelId === row.id).map((alias) => [alias.name, alias.version]));
      return toModel(row, latestByModel.get(row.id) ?? 0, modelAliases);
    });
  }
}

function toModel(row: ModelRow, latestVersion: number, aliases: Record<string, number>): Model {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    owner: row.owner,
    tags: (row.tags ?? {}) as Record<string, string>,
    createdAt: row.createdAt,
    latestVersion,
    aliases,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
