import { readFile } from 'node:fs/promises';
import { asRecord, clipRaw, type FileReader, type FileRecord } from './file-record';

/**
 * A JSON array of objects. The file is parsed whole (a JSON array has no record
 * boundaries to resume at without parsing); an element that is not an object is a
 * PARSE_ERROR record, a file that is not a JSON array fails the import.
 */
export class JsonReader implements FileReader {
  private cache: { path: string; elements: unknown[] } | undefined;

  async countRecords(path: string): Promise<number | undefined> {
    return (await this.elements(path)).length;
  }

  async *records(path: string, startAt: number): AsyncIterable<FileRecord> {
    const elements = await this.elements(path);
    this.cache = undefined;
    for (let index = startAt; index < elements.length; index += 1) {
      const element = elements[index];
      const values = asRecord(element);
      yield values === undefined ? { index, raw: clipRaw(JSON.stringify(element) ?? String(element)), error: 'array element is not a JSON object' } : { index, values };
    }
  }

  private async elements(path: string): Promise<unknown[]> {
    if (this.cache?.path === path) return this.cache.elements;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new Error(`${path} is not a JSON array (FILE_FORMAT_JSON expects an array of objects; use FILE_FORMAT_NDJSON for one object per line)`);
    this.cache = { path, elements: parsed };
    return parsed;
  }
}
