import { createHash, type Hash } from 'node:crypto';
import type { DatasetCell, DatasetColumn, DatasetFeatureContract, DatasetTimeRange } from './dataset';

/** The finished content of a dataset: what is stored and what its digest covers. */
export interface DatasetContent {
  /** `sha256:<hex>` of the canonical serialization. */
  readonly digest: string;
  readonly columns: readonly DatasetColumn[];
  readonly featureContracts: readonly DatasetFeatureContract[];
  /** Each row's cells as a JSON array, in row order (also the stored `values`). */
  readonly rows: readonly string[];
  readonly timeRange?: DatasetTimeRange;
}

/**
 * Builds a dataset's canonical content row by row and its digest on the fly.
 *
 * The canonical serialization is a header line, the JSON of `{schema, featureContracts}`
 * (columns as `{name, type, role}`, contracts as `{name, version, digest}`, in order), then
 * one line per row, the JSON array of its cells (see {@link DatasetCell}), each line ending
 * in `\n`. It is fed to SHA-256 as it grows, so no single string holds the whole dataset.
 */
export class DatasetContentBuilder {
  private readonly hash: Hash = createHash('sha256');
  private readonly rows: string[] = [];
  private readonly timestampColumn: number;
  private earliest: number | undefined;
  private latest: number | undefined;

  constructor(
    private readonly columns: readonly DatasetColumn[],
    private readonly featureContracts: readonly DatasetFeatureContract[],
  ) {
    const schema = columns.map(({ name, type, role }) => ({ name, type, role }));
    const contracts = featureContracts.map(({ name, version, digest }) => ({ name, version, digest }));
    this.hash.update(`${JSON.stringify({ schema, featureContracts: contracts })}\n`);
    this.timestampColumn = columns.findIndex((column) => column.role === 'TIMESTAMP');
  }

  /** Number of rows added so far. */
  get rowCount(): number {
    return this.rows.length;
  }

  /** Appends one row; `cells` are in column order, the timestamp cell an RFC 3339 string. */
  add(cells: readonly DatasetCell[]): void {
    if (cells.length !== this.columns.length) throw new Error(`dataset row has ${cells.length} cells, the schema ${this.columns.length} columns`);
    const line = JSON.stringify(cells);
    this.hash.update(line);
    this.hash.update('\n');
    this.rows.push(line);
    const timestamp = this.timestampColumn === -1 ? undefined : cells[this.timestampColumn];
    if (typeof timestamp === 'string') {
      const ms = Date.parse(timestamp);
      if (this.earliest === undefined || ms < this.earliest) this.earliest = ms;
      if (this.latest === undefined || ms > this.latest) this.latest = ms;
    }
  }

  /** The content with its digest; the builder must not be used afterwards. */
  finish(): DatasetContent {
    const timeRange = this.earliest === undefined || this.latest === undefined ? undefined : { start: new Date(this.earliest), latest: new Date(this.latest) };
    return {
      digest: `sha256:${this.hash.digest('hex')}`,
      columns: this.columns,
      featureContracts: this.featureContracts,
      rows: this.rows,
      ...(timeRange === undefined ? {} : { timeRange }),
    };
  }
}
