import type { DatasetColumn, DatasetSnapshot } from './dataset';
import { exclusiveEndOf, toBatchMessage, toSnapshotMessage } from './dataset.mapper';

const COLUMNS: DatasetColumn[] = [
  { name: 'entity_id', type: 'STRING', role: 'ENTITY_ID' },
  { name: 'timestamp', type: 'TIMESTAMP', role: 'TIMESTAMP' },
  { name: 'label', type: 'BOOL', role: 'EXTRA' },
  { name: 'delays.count', type: 'INT64', role: 'FEATURE' },
];

function aSnapshot(overrides: Partial<DatasetSnapshot> = {}): DatasetSnapshot {
  return {
    id: '0190c7d2-0000-7000-8000-000000000001',
    digest: `sha256:${'c'.repeat(64)}`,
    rowCount: 2,
    columns: COLUMNS,
    featureContracts: [{ name: 'delays', version: 2, digest: `sha256:${'d'.repeat(64)}` }],
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    timeRange: { start: new Date('2001-01-01T00:00:00.000Z'), latest: new Date('2001-01-02T00:00:00.250Z') },
    ...overrides,
  };
}

describe('dataset mapper', () => {
  it('maps a snapshot with typed columns, contracts and an end 1 µs after the latest row', () => {
    const message = toSnapshotMessage(aSnapshot());
    expect(message.rowCount).toBe('2');
    expect(message.schema?.columns.map((column) => [column.name, column.type, column.role])).toEqual([
      ['entity_id', 'VALUE_TYPE_STRING', 'COLUMN_ROLE_ENTITY_ID'],
      ['timestamp', 'VALUE_TYPE_TIMESTAMP', 'COLUMN_ROLE_TIMESTAMP'],
      ['label', 'VALUE_TYPE_BOOL', 'COLUMN_ROLE_EXTRA'],
      ['delays.count', 'VALUE_TYPE_INT64', 'COLUMN_ROLE_FEATURE'],
    ]);
    expect(message.featureContracts).toEqual([{ featureSet: { name: 'delays', version: 2 }, digest: `sha256:${'d'.repeat(64)}` }]);
    expect(message.timeRange?.end).toEqual({ seconds: String(Date.parse('2001-01-02T00:00:00Z') / 1000), nanos: 250_001_000 });
  });

  it('leaves the time range unset for an empty dataset', () => {
    const { timeRange: _unused, ...empty } = aSnapshot({ rowCount: 0 });
    expect(toSnapshotMessage(empty).timeRange).toBeNull();
  });

  it('adds one microsecond to the latest instant', () => {
    expect(exclusiveEndOf(new Date(999))).toEqual({ seconds: '0', nanos: 999_001_000 });
  });

  it('types cells by column and keeps null reasons', () => {
    const batch = toBatchMessage({ startRow: 5, rows: [['SFO', '2001-01-01T00:00:00.000Z', true, 3], ['LAX', '2001-01-01T00:00:00.000Z', { null: 'EXPLICIT' }, { null: 'MISSING' }]] }, COLUMNS);
    expect(batch.startRow).toBe('5');
    expect(batch.rows[0]!.values).toEqual([{ stringValue: 'SFO' }, { timestampValue: { seconds: String(Date.parse('2001-01-01T00:00:00Z') / 1000), nanos: 0 } }, { boolValue: true }, { int64Value: '3' }]);
    expect(batch.rows[1]!.values.slice(2)).toEqual([{ nullReason: 'NULL_REASON_EXPLICIT' }, { nullReason: 'NULL_REASON_MISSING' }]);
  });
});
