import { type CsvError, parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { clipRaw, type FileReader, type FileRecord } from './file-record';

/**
 * CSV, UTF-8, with a header row naming the columns. Values stay strings (the validator
 * converts them per field type); empty cells are absent values. A record with the wrong
 * number of cells or broken quoting is a PARSE_ERROR record with its raw text.
 */
export class CsvReader implements FileReader {
  async countRecords(): Promise<number | undefined> {
    return undefined;
  }

  async *records(path: string, startAt: number): AsyncIterable<FileRecord> {
    // Records and skipped (bad) records are numbered while parsing, where their order is
    // known; the parser runs ahead of the consumer, so bad ones wait in `skipped`.
    const skipped: FileRecord[] = [];
    let index = 0;
    const parser = createReadStream(path).pipe(
      parse({
        columns: true,
        bom: true,
        skip_empty_lines: true,
        skip_records_with_error: true,
        on_record: (record: Record<string, string>) => ({ index: index++, record }),
      }),
    );
    parser.on('skip', (error: CsvError & { raw?: string }) => {
      const current = index++;
      if (current >= startAt) skipped.push({ index: current, raw: clipRaw(String(error.raw ?? (Array.isArray(error.record) ? error.record.join(',') : (error.record ?? '')))), error: `record is not valid CSV: ${error.message}` });
    });
    for await (const chunk of parser as AsyncIterable<{ index: number; record: Record<string, string> }>) {
      while (skipped.length > 0 && (skipped[0] as FileRecord).index < chunk.index) yield skipped.shift() as FileRecord;
      if (chunk.index < startAt) continue;
      yield { index: chunk.index, values: chunk.record };
    }
    while (skipped.length > 0) yield skipped.shift() as FileRecord;
  }
}
