import { createHash } from 'node:crypto';
import type { DatasetCell, DatasetColumn, DatasetFeatureContract } from './dataset';
import { DatasetContentBuilder } from './dataset-content';

const COLUMNS: DatasetColumn[] = [
  { name: 'entity_id', type: 'STRING', role: 'ENTITY_ID' },
  { name: 'timestamp', type: 'TIMESTAMP', role: 'TIMESTAMP' },
  { name: 'delays.avg_delay', type: 'DOUBLE', role: 'FEATURE' },
];
const CONTRACTS: DatasetFeatureContract[] = [{ name: 'delays', version: 1, digest: `sha256:${'a'.repeat(64)}` }];

function aRow(overrides: Partial<{ entity: string; at: string; value: DatasetCell }> = {}): DatasetCell[] {
  return [overrides.entity ?? 'SFO', overrides.at ?? '2001-01-01T00:00:00.000Z', overrides.value ?? 12.5];
}

function build(rows: DatasetCell[][], columns = COLUMNS, contracts = CONTRACTS) {
  const builder = new DatasetContentBuilder(columns, contracts);
  for (const row of rows) builder.add(row);
  return builder.finish();
}

describe(DatasetContentBuilder.name, () => {
  it('digests the header line and one JSON line per row with SHA-256', () => {
    const rows = [aRow(), aRow({ entity: 'LAX', value: { null: 'MISSING' } })];
    const expected = createHash('sha256')
      .update(`${JSON.stringify({ schema: COLUMNS, featureContracts: CONTRACTS })}\n`)
      .update(rows.map((row) => `${JSON.stringify(row)}\n`).join(''))
      .digest('hex');
    const content = build(rows);
    expect(content.digest).toBe(`sha256:${expected}`);
    expect(content.rows).toEqual(rows.map((row) => JSON.stringify(row)));
  });

  it('gives the same digest for the same content', () => {
    expect(build([aRow(), aRow({ entity: 'LAX' })]).digest).toBe(build([aRow(), aRow({ entity: 'LAX' })]).digest);
  });

  it('changes the digest when the row order, a value, a null reason, the schema or a contract changes', () => {
    const base = build([aRow(), aRow({ entity: 'LAX' })]).digest;
    expect(build([aRow({ entity: 'LAX' }), aRow()]).digest).not.toBe(base);
    expect(build([aRow(), aRow({ entity: 'LAX', value: 12.6 })]).digest).not.toBe(base);
    expect(build([aRow({ value: { null: 'MISSING' } })]).digest).not.toBe(build([aRow({ value: { null: 'EMPTY_WINDOW' } })]).digest);
    expect(build([aRow(), aRow({ entity: 'LAX' })], [...COLUMNS.slice(0, 2), { name: 'delays.max_delay', type: 'DOUBLE', role: 'FEATURE' }]).digest).not.toBe(base);
    expect(build([aRow(), aRow({ entity: 'LAX' })], COLUMNS, [{ ...CONTRACTS[0]!, digest: `sha256:${'b'.repeat(64)}` }]).digest).not.toBe(base);
  });

  it('tracks the earliest and latest row timestamp', () => {
    const content = build([aRow({ at: '2001-01-02T00:00:00.000Z' }), aRow({ at: '2001-01-01T00:00:00.000Z' }), aRow({ at: '2001-01-03T00:00:00.000Z' })]);
    expect(content.timeRange).toEqual({ start: new Date('2001-01-01T00:00:00.000Z'), latest: new Date('2001-01-03T00:00:00.000Z') });
  });

  it('has no time range when empty', () => {
    expect(build([]).timeRange).toBeUndefined();
  });

  it('rejects a row whose width differs from the schema', () => {
    expect(() => new DatasetContentBuilder(COLUMNS, CONTRACTS).add(['SFO'])).toThrow(/1 cells, the schema 3 columns/);
  });
});
