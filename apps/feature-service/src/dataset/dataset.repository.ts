import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client';
import type { DatasetCell, DatasetColumn, DatasetFeatureContract, DatasetSnapshot } from './dataset';
import type { DatasetContent } from './dataset-content';

/** Rows per INSERT statement when a dataset is written. */
const INSERT_BATCH_ROWS = 5_000;

/** Digest of a dataset whose rows are still being written; never returned by a lookup. */
const PROVISIONAL_PREFIX = 'building:';

interface DatasetRecord {
  id: string;
  digest: string;
  schema: unknown;
  rowCount: bigint;
  featureContracts: unknown;
  timeStart: Date | null;
  timeEnd: Date | null;
  createdAt: Date;
}

/**
 * Dataset snapshots and their rows (tables `datasets`, `dataset_rows`). The only Prisma user
 * of the dataset domain.
 *
 * A snapshot is written under a provisional digest, its rows in batched set-based inserts,
 * then published by one UPDATE setting the real digest. A crashed build leaves an
 * unpublished orphan no lookup returns, and two concurrent builds of the same content end
 * with one snapshot (the unique digest decides; the loser deletes its copy).
 */
@Injectable()
export class DatasetRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** The published snapshot with `digest`, if any. */
  async findByDigest(digest: string): Promise<DatasetSnapshot | undefined> {
    const row = await this.prisma.dataset.findUnique({ where: { digest } });
    return row === null ? undefined : toSnapshot(row);
  }

  /** The published snapshot `id` (a UUID), if any. */
  async findById(id: string): Promise<DatasetSnapshot | undefined> {
    const row = await this.prisma.dataset.findFirst({ where: { id, digest: { startsWith: 'sha256:' } } });
    return row === null ? undefined : toSnapshot(row);
  }

  /** Stores `content` (built from `request`) unless a snapshot with its digest exists; returns the snapshot either way. */
  async createIfAbsent(content: DatasetContent, request: unknown): Promise<DatasetSnapshot> {
    const existing = await this.findByDigest(content.digest);
    if (existing !== undefined) return existing;
    const provisional = await this.prisma.dataset.create({
      data: {
        digest: `${PROVISIONAL_PREFIX}${content.digest}:${process.pid}:${Date.now()}:${Math.random()}`,
        schema: content.columns.map(({ name, type, role }) => ({ name, type, role })),
        rowCount: BigInt(content.rows.length),
        featureContracts: content.featureContracts.map(({ name, version, digest }) => ({ name, version, digest })),
        timeStart: content.timeRange?.start ?? null,
        timeEnd: content.timeRange?.latest ?? null,
        request: JSON.parse(JSON.stringify(request ?? {})) as object,
      },
      select: { id: true },
    });
    try {
      for (let start = 0; start < content.rows.length; start += INSERT_BATCH_ROWS) {
        const batch = content.rows.slice(start, start + INSERT_BATCH_ROWS);
        await this.prisma.$executeRawUnsafe(
          'INSERT INTO "dataset_rows" ("dataset_id", "row_no", "values") SELECT $1::uuid, r.row_no, r.cells::jsonb FROM unnest($2::bigint[], $3::text[]) AS r(row_no, cells)',
          provisional.id,
          batch.map((_, index) => start + index),
          batch,
        );
      }
      // time_end is exclusive: the latest row timestamp + 1 µs (the wire's wording).
      await this.prisma.$executeRawUnsafe(`UPDATE "datasets" SET "digest" = $2, "time_end" = "time_end" + interval '1 microsecond' WHERE "id" = $1::uuid`, provisional.id, content.digest);
    } catch (error) {
      await this.prisma.dataset.deleteMany({ where: { id: provisional.id } });
      const winner = await this.findByDigest(content.digest);
      if (winner !== undefined) return winner;
      throw error;
    }
    const published = await this.findById(provisional.id);
    if (published === undefined) throw new Error(`dataset ${provisional.id} vanished after it was published`);
    return published;
  }

  /** Rows [startRow, endRow) of dataset `id`, in row order. */
  async readRows(id: string, startRow: number, endRow: number): Promise<DatasetCell[][]> {
    const rows = await this.prisma.datasetRow.findMany({
      where: { datasetId: id, rowNo: { gte: BigInt(startRow), lt: BigInt(endRow) } },
      orderBy: { rowNo: 'asc' },
      select: { values: true },
    });
    return rows.map((row) => row.values as DatasetCell[]);
  }
}

function toSnapshot(row: DatasetRecord): DatasetSnapshot {
  return {
    id: row.id,
    digest: row.digest,
    rowCount: Number(row.rowCount),
    columns: row.schema as DatasetColumn[],
    featureContracts: row.featureContracts as DatasetFeatureContract[],
    createdAt: row.createdAt,
    // The stored end is latest + 1 µs; a JS Date drops the microsecond, leaving the latest row timestamp.
    ...(row.timeStart === null || row.timeEnd === null ? {} : { timeRange: { start: row.timeStart, latest: row.timeEnd } }),
  };
}
