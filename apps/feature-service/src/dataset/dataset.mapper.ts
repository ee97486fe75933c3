import type { commonV1, featuresV1 } from '@strata/contracts';
import { toTimestamp } from '@strata/service-runtime';
import { toWireValue, toWireValueType } from '../shared/scalar';
import type { DatasetCell, DatasetColumn, DatasetRowBatch, DatasetSnapshot } from './dataset';

/** A snapshot as strata.features.v1.DatasetSnapshot. */
export function toSnapshotMessage(snapshot: DatasetSnapshot): featuresV1.DatasetSnapshot {
  return {
    id: snapshot.id,
    digest: snapshot.digest,
    rowCount: String(snapshot.rowCount),
    schema: { columns: snapshot.columns.map((column) => ({ name: column.name, type: toWireValueType(column.type), role: `COLUMN_ROLE_${column.role}` as featuresV1.ColumnRole })) },
    featureContracts: snapshot.featureContracts.map((contract) => ({ featureSet: { name: contract.name, version: contract.version }, digest: contract.digest })),
    createdAt: toTimestamp(snapshot.createdAt),
    timeRange: snapshot.timeRange === undefined ? null : { start: toTimestamp(snapshot.timeRange.start), end: exclusiveEndOf(snapshot.timeRange.latest) },
  };
}

/** The exclusive end of a range whose latest instant is `latest`: latest + 1 µs. */
export function exclusiveEndOf(latest: Date): commonV1.TimeRange['end'] {
  const timestamp = toTimestamp(latest);
  return { seconds: timestamp.seconds, nanos: timestamp.nanos + 1000 };
}

/** A batch of stored rows as strata.features.v1.DatasetRowBatch, cells typed by `columns`. */
export function toBatchMessage(batch: DatasetRowBatch, columns: readonly DatasetColumn[]): featuresV1.DatasetRowBatch {
  return { startRow: String(batch.startRow), rows: batch.rows.map((cells) => ({ values: cells.map((cell, index) => toCellValue(cell, columns[index])) })) };
}

/** One stored cell as strata.common.v1.Value; a plain JSON null reads as MISSING. */
export function toCellValue(cell: DatasetCell | null, column: DatasetColumn | undefined): commonV1.Value {
  if (cell === null) return toWireValue(null, column?.type ?? 'STRING');
  if (typeof cell === 'object') return toWireValue(null, column?.type ?? 'STRING', cell.null);
  return toWireValue(cell, column?.type ?? 'STRING');
}
