import type { FileFormat } from './readers/file-readers';

/** An ImportFile request as the domain reads it. */
export interface ImportRequest {
  readonly source: string;
  readonly path: string;
  readonly format: FileFormat | undefined;
  /** File column -> source field. */
  readonly fieldMapping: Readonly<Record<string, string>>;
  /** '' = none. */
  readonly idempotencyKey: string;
}

/** The params of an import job (jobs.params). */
export interface ImportJobParams {
  readonly source: string;
  /** The path as given. */
  readonly path: string;
  /** The path resolved inside the import root. */
  readonly absolutePath: string;
  readonly format: FileFormat;
  readonly fieldMapping: Readonly<Record<string, string>>;
}

/** Where a resumed import continues: the next record, and the file digest the event IDs use. */
export interface ImportCheckpoint {
  readonly nextRecord: number;
  readonly fileId: string;
  /** Duplicates and rejections by reason so far, for the final summary. */
  readonly duplicates: number;
  readonly rejectedByReason: Readonly<Record<string, number>>;
}
