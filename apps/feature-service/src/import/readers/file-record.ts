/** One record of an imported file: its fields, or the raw text when it could not be parsed. */
export interface FileRecord {
  /** 0-based record number in the file (header excluded). */
  readonly index: number;
  /** Field values by column name; undefined when the record could not be parsed. */
  readonly values?: Record<string, unknown>;
  /** Raw text of an unparsable record. */
  readonly raw?: string;
  /** Why the record could not be parsed. */
  readonly error?: string;
}

/** Reads the records of one file format, from record `startAt` on (earlier ones are skipped, for resumed imports). */
export interface FileReader {
  /** The number of records, when the format knows it without reading every record; undefined otherwise. */
  countRecords(path: string): Promise<number | undefined>;
  records(path: string, startAt: number): AsyncIterable<FileRecord>;
}

/** Longest raw text kept for an unparsable record. */
export const MAX_RAW_CHARS = 4096;

/** `text` cut to {@link MAX_RAW_CHARS}. */
export function clipRaw(text: string): string {
  return text.length > MAX_RAW_CHARS ? `${text.slice(0, MAX_RAW_CHARS)}…` : text;
}

/** A parsed JSON value as a record, or undefined when it is not a JSON object. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
