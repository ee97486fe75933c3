import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../audit-log/audit-log.repository';
import { PrismaClient } from '../generated/prisma/client';
import { releaseStatusOf } from '../release/version-status';
import type { AliasState } from './alias';

/** One move of an alias, written with its history row in the move's transaction. */
export interface AliasMove {
  readonly modelId: string;
  readonly alias: string;
  readonly version: number;
  /** The target before the move; undefined when the move creates the alias. */
  readonly previousVersion?: number;
  readonly revision: bigint;
  readonly actor: string;
  readonly reason: string;
  readonly rollback: boolean;
}

const WITH_TARGET = { modelVersion: { select: { artifactDigest: true, status: true, model: { select: { name: true } } } } } as const;

/** Aliases and their history (alias_history: every move, oldest first). */
@Injectable()
export class AliasRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async find(modelId: string, alias: string, tx: PrismaTx = this.prisma): Promise<AliasState | undefined> {
    const [state] = await this.list({ modelId, alias }, tx);
    return state;
  }

  /** Aliases ordered by model name then alias name: of one model, of some models, or of all. */
  async list(filter: { readonly modelId?: string; readonly alias?: string }, tx: PrismaTx = this.prisma): Promise<AliasState[]> {
    const rows = await tx.alias.findMany({
      where: { ...(filter.modelId === undefined ? {} : { modelId: filter.modelId }), ...(filter.alias === undefined ? {} : { name: filter.alias }) },
      include: WITH_TARGET,
      orderBy: [{ modelVersion: { model: { name: 'asc' } } }, { name: 'asc' }],
    });
    if (rows.length === 0) return [];
    // Who moved it last and why live on the history row of the last move (same revision).
    const moves = await tx.aliasHistory.findMany({
      where: { OR: rows.map((row) => ({ modelId: row.modelId, alias: row.name, revision: row.revision })) },
      select: { modelId: true, alias: true, actor: true, reason: true, movedAt: true },
    });
    const lastMove = new Map(moves.map((move) => [`${move.modelId}/${move.alias}`, move]));
    return rows.map((row) => {
      const move = lastMove.get(`${row.modelId}/${row.name}`);
      return {
        modelId: row.modelId,
        modelName: row.modelVersion.model.name,
        alias: row.name,
        version: row.version,
        ...(row.previousVersion === null ? {} : { previousVersion: row.previousVersion }),
        artifactSha256: row.modelVersion.artifactDigest,
        versionStatus: releaseStatusOf(row.modelVersion.status),
        revision: row.revision,
        updatedBy: move?.actor ?? '',
        reason: move?.reason ?? '',
        updatedAt: move?.movedAt ?? row.updatedAt,
      };
    });
  }

  /** Points the alias at the new version (creating it when needed) and appends the move to its history. */
  async move(tx: PrismaTx, move: AliasMove): Promise<void> {
    const target = { version: move.version, previousVersion: move.previousVersion ?? null, revision: move.revision };
    await tx.alias.upsert({
      where: { modelId_name: { modelId: move.modelId, name: move.alias } },
      create: { modelId: move.modelId, name: move.alias, ...target },
      update: target,
    });
    await tx.aliasHistory.create({
      data: {
        modelId: move.modelId,
        alias: move.alias,
        fromVersion: move.previousVersion ?? null,
        toVersion: move.version,
        revision: move.revision,
        actor: move.actor,
        reason: move.reason,
        rollback: move.rollback,
      },
    });
  }
}
