import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readerFor } from './file-readers';
import type { FileRecord } from './file-record';

const FLIGHTS_3M = path.join(path.dirname(require.resolve('vega-datasets')), '../data/flights-3m.parquet');

async function collect(records: AsyncIterable<FileRecord>, limit = Number.POSITIVE_INFINITY): Promise<FileRecord[]> {
  const out: FileRecord[] = [];
  for await (const record of records) {
    out.push(record);
    if (out.length >= limit) break;
  }
  return out;
}

describe('file readers', () => {
  let folder: string;
  const write = (name: string, text: string): string => {
    const file = path.join(folder, name);
    writeFileSync(file, text);
    return file;
  };

  beforeAll(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'readers-'));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('reads CSV records with the header as keys and reports bad records as parse errors', async () => {
    const file = write('a.csv', 'a,b\n1,x\n2,y,extra\n"3","z"\n');
    const records = await collect(readerFor('csv').records(file, 0));
    expect(records.map((record) => [record.index, record.values ?? record.error?.slice(0, 24)])).toEqual([
      [0, { a: '1', b: 'x' }],
      [1, 'record is not valid CSV:'],
      [2, { a: '3', b: 'z' }],
    ]);
    expect((await collect(readerFor('csv').records(file, 2))).map((record) => record.index)).toEqual([2]);
  });

  it('reads NDJSON lines, skipping blank lines, with the raw text of unparsable ones', async () => {
    const file = write('a.ndjson', '{"a":1}\n\nnope\n[1]\n{"a":2}\n');
    const records = await collect(readerFor('ndjson').records(file, 1));
    expect(records).toEqual([
      { index: 1, raw: 'nope', error: expect.stringMatching(/^line is not valid JSON/) as unknown },
      { index: 2, raw: '[1]', error: 'line is not a JSON object' },
      { index: 3, values: { a: 2 } },
    ]);
  });

  it('reads a JSON array with its count known up front, and refuses a file that is not an array', async () => {
    const file = write('a.json', '[{"a":1},"x",{"a":3}]');
    const reader = readerFor('json');
    expect(await reader.countRecords(file)).toBe(3);
    expect(await collect(reader.records(file, 1))).toEqual([
      { index: 1, raw: '"x"', error: 'array element is not a JSON object' },
      { index: 2, values: { a: 3 } },
    ]);
    await expect(collect(readerFor('json').records(write('b.json', '{"a":1}'), 0))).rejects.toThrow(/is not a JSON array/);
  });

  it('reads the real flights-3m.parquet (ZSTD) row group by row group from any record', async () => {
    const reader = readerFor('parquet');
    expect(await reader.countRecords(FLIGHTS_3M)).toBe(3_000_000);
    const [first] = await collect(reader.records(FLIGHTS_3M, 0), 1);
    expect(first?.index).toBe(0);
    expect(Object.keys(first?.values ?? {}).sort()).toEqual(['date', 'delay', 'destination', 'distance', 'origin']);
    expect(first?.values?.['date']).toBeInstanceOf(Date);
    expect(typeof first?.values?.['delay']).toBe('bigint');
    const [late] = await collect(reader.records(FLIGHTS_3M, 2_999_999), 1);
    expect(late?.index).toBe(2_999_999);
  }, 120_000);
});
