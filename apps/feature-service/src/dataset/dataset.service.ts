import { Injectable } from '@nestjs/common';
import { InvalidArgumentError, NotFoundError, OutOfRangeError } from '@strata/service-runtime';
import type { DatasetRowBatch, DatasetSnapshot } from './dataset';
import type { DatasetContent } from './dataset-content';
import { DatasetRepository } from './dataset.repository';

/** Rows per ReadDataset message when the request says 0. */
export const DEFAULT_BATCH_SIZE = 1000;
/** Most rows per ReadDataset message; larger requests are clamped. */
export const MAX_BATCH_SIZE = 10_000;
/** Rows fetched from the database per query while streaming. */
const READ_PAGE_ROWS = 10_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A dataset opened for reading from `startRow`. */
export interface DatasetRead {
  readonly snapshot: DatasetSnapshot;
  /** The row batches from the start row on, in row order. */
  readonly batches: AsyncIterable<DatasetRowBatch>;
}

/** Immutable dataset snapshots: storing built content (content-addressed) and reading it back in batches. */
@Injectable()
export class DatasetService {
  constructor(private readonly datasets: DatasetRepository) {}

  /** Stores `content`, or returns the snapshot that already has its digest (same ID and digest). */
  store(content: DatasetContent, request: unknown): Promise<DatasetSnapshot> {
    return this.datasets.createIfAbsent(content, request);
  }

  /**
   * Opens dataset `id` for reading from `startRow` in batches of `batchSize` (0 = 1000,
   * clamped to 10000). NOT_FOUND for an unknown ID; OUT_OF_RANGE when startRow > row count.
   */
  async read(id: string, startRow: number, batchSize: number): Promise<DatasetRead> {
    if (!Number.isSafeInteger(startRow) || startRow < 0) throw new InvalidArgumentError('start_row must be >= 0', [{ field: 'start_row', description: `must be a non-negative integer, got ${startRow}` }]);
    if (!Number.isInteger(batchSize) || batchSize < 0) throw new InvalidArgumentError('batch_size must be >= 0', [{ field: 'batch_size', description: `must be a non-negative integer, got ${batchSize}` }]);
    const snapshot = UUID.test(id) ? await this.datasets.findById(id) : undefined;
    if (snapshot === undefined) throw new NotFoundError(`dataset ${JSON.stringify(id)} not found`);
    if (startRow > snapshot.rowCount) throw new OutOfRangeError(`start_row ${startRow} is past the end of dataset ${id} (${snapshot.rowCount} rows)`);
    const size = batchSize === 0 ? DEFAULT_BATCH_SIZE : Math.min(batchSize, MAX_BATCH_SIZE);
    return { snapshot, batches: this.batchesOf(snapshot, startRow, size) };
  }

  private async *batchesOf(snapshot: DatasetSnapshot, startRow: number, batchSize: number): AsyncIterable<DatasetRowBatch> {
    const pageRows = Math.max(READ_PAGE_ROWS - (READ_PAGE_ROWS % batchSize), batchSize);
    for (let pageStart = startRow; pageStart < snapshot.rowCount; pageStart += pageRows) {
      const rows = await this.datasets.readRows(snapshot.id, pageStart, Math.min(pageStart + pageRows, snapshot.rowCount));
      for (let offset = 0; offset < rows.length; offset += batchSize) {
        yield { startRow: pageStart + offset, rows: rows.slice(offset, offset + batchSize) };
      }
    }
  }
}
