import { copyField, copyTextOf } from './event-copy';
import type { EventToWrite } from './event-writer';

function event(entityKey: string, iso: string, eventId: string, payload: Record<string, string | number | boolean | null>): EventToWrite {
  return { eventId, event: { entityKey, eventTime: new Date(iso), payload } };
}

/** Reads one COPY text field back (the inverse of copyField for the escapes it writes). */
function unescape(field: string): string {
  return field.replace(/\\(.)/g, (_, character: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[character] ?? character);
}

describe('copyField', () => {
  it('leaves plain text alone and escapes backslash, tab, newline and carriage return', () => {
    expect(copyField('PHX|SJC')).toBe('PHX|SJC');
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyField('\\.')).toBe('\\\\.');
  });
});

describe('copyTextOf', () => {
  it('writes one line per event: source, version, entity key, RFC 3339 time, event ID and the payload as JSON', () => {
    const rows = [
      event('PHX|SJC', '2001-01-01T17:06:00.000Z', 'f:0', { date: '2001-01-01T17:06:00.000Z', origin: 'PHX', delay: 146 }),
      event('MSP|PHX', '2001-01-01T17:06:00.000Z', 'f:1', { date: '2001-01-01T17:06:00.000Z', origin: 'MSP', delay: -20 }),
      event('A\tB', '2001-01-01T17:07:30.250Z', 'f:2', { note: 'say "hi"\\\n', ok: true, none: null }),
    ];
    const lines = copyTextOf({ source: 'flights', sourceVersion: 3 }, rows).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    const fields = lines.slice(0, 3).map((line) => line.split('\t').map(unescape));
    expect(fields.map((row) => row.length)).toEqual([6, 6, 6]);
    expect(fields[0]).toEqual(['flights', '3', 'PHX|SJC', '2001-01-01T17:06:00.000Z', 'f:0', JSON.stringify(rows[0]?.event.payload)]);
    expect(fields[1]?.[3]).toBe('2001-01-01T17:06:00.000Z');
    expect(fields[2]).toEqual(['flights', '3', 'A\tB', '2001-01-01T17:07:30.250Z', 'f:2', JSON.stringify(rows[2]?.event.payload)]);
    expect(JSON.parse(fields[2]?.[5] ?? '')).toEqual({ note: 'say "hi"\\\n', ok: true, none: null });
  });

  it('writes nothing for no events', () => {
    expect(copyTextOf({ source: 's', sourceVersion: 1 }, [])).toBe('');
  });
});
