import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { asRecord, clipRaw, type FileReader, type FileRecord } from './file-record';

/** Newline-delimited JSON: one object per non-blank line; a line that is not a JSON object is a PARSE_ERROR record. */
export class NdjsonReader implements FileReader {
  async countRecords(): Promise<number | undefined> {
    return undefined;
  }

  async *records(path: string, startAt: number): AsyncIterable<FileRecord> {
    const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
    let index = 0;
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        const current = index;
        index += 1;
        if (current < startAt) continue;
        yield parseLine(line, current);
      }
    } finally {
      lines.close();
    }
  }
}

function parseLine(line: string, index: number): FileRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    return { index, raw: clipRaw(line), error: `line is not valid JSON: ${(error as Error).message}` };
  }
  const values = asRecord(parsed);
  return values === undefined ? { index, raw: clipRaw(line), error: 'line is not a JSON object' } : { index, values };
}
