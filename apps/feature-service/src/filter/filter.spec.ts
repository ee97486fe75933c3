import { seededRandom } from '@strata/testing';
import { PGlite } from '@electric-sql/pglite';
import type { Scalar, ScalarType } from '../shared/scalar';
import type { FilterExpr } from './filter';
import { evaluateFilter } from './filter-evaluator';
import { filterFields, FilterSyntaxError, parseFilter } from './filter-parser';
import { filterToSql, payloadFieldSql } from './filter-sql';
import { filterTypeProblems } from './filter-types';

const TYPES: Readonly<Record<string, ScalarType>> = { amount: 'DOUBLE', attempts: 'INT64', country: 'STRING', approved: 'BOOL', paid_at: 'TIMESTAMP' };
const typeOf = (field: string): ScalarType => TYPES[field] ?? 'STRING';

describe('parseFilter', () => {
  it('parses comparisons with and/or/not precedence and parentheses', () => {
    expect(parseFilter('delay > 15')).toEqual({ kind: 'compare', field: 'delay', op: '>', literal: 15 });
    expect(parseFilter('a == 1 or b != "x" and not c <= -2.5e1')).toEqual({
      kind: 'or',
      left: { kind: 'compare', field: 'a', op: '==', literal: 1 },
      right: { kind: 'and', left: { kind: 'compare', field: 'b', op: '!=', literal: 'x' }, right: { kind: 'not', operand: { kind: 'compare', field: 'c', op: '<=', literal: -25 } } },
    });
    expect(parseFilter('(a >= 1 OR a < 0) AND flag == TRUE')).toEqual({
      kind: 'and',
      left: { kind: 'or', left: { kind: 'compare', field: 'a', op: '>=', literal: 1 }, right: { kind: 'compare', field: 'a', op: '<', literal: 0 } },
      right: { kind: 'compare', field: 'flag', op: '==', literal: true },
    });
    expect(parseFilter('s == "say \\"hi\\" \\\\ o\'k"')).toEqual({ kind: 'compare', field: 's', op: '==', literal: 'say "hi" \\ o\'k' });
  });

  it.each([
    ['', 'column 1: expected a field name, "not" or "(", got the end of the filter'],
    ['delay = 15', 'column 7: unexpected character "=" (use == for equality)'],
    ['delay >', 'column 8: expected a literal (number, "string", true or false) after "delay >", got the end of the filter'],
    ['delay 15', 'column 7: expected a comparison operator (== != < <= > >=) after "delay", got "15"'],
    ['(delay > 1', 'column 11: expected ")" to close the "(" at column 1, got the end of the filter'],
    ['delay > 1 delay < 2', 'column 11: expected "and", "or" or the end of the filter, got "delay"'],
    ["origin == 'JFK'", 'column 11: unexpected character "\'" (string literals use double quotes)'],
    ['origin == "JFK', 'column 11: unterminated string literal'],
    ['a > 1 && b < 2', 'column 7: unexpected character "&" (use and / or)'],
    ['a == "\\n"', 'column 7: unknown escape "\\n" in a string literal (only \\" and \\\\)'],
  ])('refuses %j with a position-specific message', (text, message) => {
    expect(() => parseFilter(text)).toThrow(new FilterSyntaxError(message, 0));
    try {
      parseFilter(text);
    } catch (error) {
      expect(error).toBeInstanceOf(FilterSyntaxError);
      expect((error as FilterSyntaxError).column).toBe(Number(/column (\d+)/.exec(message)?.[1]));
    }
  });

  it('names the fields a filter uses once each, in first-use order', () => {
    expect(filterFields(parseFilter('b > 1 and (a == 2 or not b < 0)'))).toEqual(['b', 'a']);
  });
});

describe('filterTypeProblems', () => {
  const known = (field: string): ScalarType | undefined => TYPES[field];

  it('accepts literals that compare with the field types', () => {
    expect(filterTypeProblems(parseFilter('amount > 1.5 and attempts <= 3 and country == "DE" and approved != false and paid_at >= "2026-01-01T00:00:00Z"'), known)).toEqual([]);
  });

  it('names unknown fields, literals of the wrong type, bad instants and ordered BOOL comparisons', () => {
    expect(filterTypeProblems(parseFilter('nope == 1 or amount == "x" or country > 3 or paid_at < "yesterday" or approved < true or attempts == true'), known)).toEqual([
      'unknown field "nope"',
      'amount == "x": field is DOUBLE, compare it with a number',
      'country > 3: field is STRING, compare it with a double-quoted string',
      'paid_at < "yesterday": "yesterday" is not an RFC 3339 instant with a time zone, e.g. "2001-01-01T00:00:00Z"',
      'approved < true: BOOL fields only support == and !=',
      'attempts == true: field is INT64, compare it with a number',
    ]);
  });

  it('refuses an impossible instant (PostgreSQL would fail on it, Date.parse would roll it over)', () => {
    expect(filterTypeProblems(parseFilter('paid_at >= "2001-02-30T00:00:00Z"'), known)).toEqual(['paid_at >= "2001-02-30T00:00:00Z": "2001-02-30T00:00:00Z" is not a real time (February 2001 has 28 days)']);
  });
});

describe('filterToSql', () => {
  it('compiles typed payload access, escaped literals and null-safe logic', () => {
    expect(payloadFieldSql('delay', 'INT64')).toBe("(payload->>'delay')::float8");
    expect(payloadFieldSql('at', 'TIMESTAMP', 'e.payload')).toBe("(e.payload->>'at')::timestamptz");
    expect(filterToSql(parseFilter('not country == "it\'s"'), typeOf)).toBe(`(NOT COALESCE(COALESCE((payload->>'country') COLLATE "C" = 'it''s', false), false))`);
    expect(() => payloadFieldSql("x'; drop table events; --", 'STRING')).toThrow('not a field name');
    expect(() => payloadFieldSql('x', 'STRING', 'payload; drop')).toThrow('not a column reference');
    expect(() => filterToSql(parseFilter('amount == "1"'), typeOf)).toThrow('does not compare');
  });
});

describe('filter SQL and in-memory evaluation', () => {
  let db: PGlite;

  beforeAll(async () => {
    db = new PGlite();
    await db.exec('CREATE TABLE rows (id int PRIMARY KEY, payload jsonb NOT NULL)');
  });

  afterAll(async () => {
    await db.close();
  });

  it('select the same rows for 300 seeded random filters over 200 seeded random rows', async () => {
    const random = seededRandom(20261128);
    const rows = Array.from({ length: 200 }, () => randomRow(random));
    for (const [id, row] of rows.entries()) await db.query('INSERT INTO rows (id, payload) VALUES ($1, $2::jsonb)', [id, JSON.stringify(row)]);

    let selective = 0;
    for (let index = 0; index < 300; index += 1) {
      const expr = randomFilter(random, 3);
      const text = printFilter(expr);
      expect(parseFilter(text)).toEqual(expr);
      const result = await db.query<{ id: number }>(`SELECT id FROM rows WHERE ${filterToSql(expr, typeOf)} ORDER BY id`);
      const expected = rows.flatMap((row, id) => (evaluateFilter(expr, row, typeOf) ? [id] : []));
      expect({ text, ids: result.rows.map((row) => row.id) }).toEqual({ text, ids: expected });
      if (expected.length > 0 && expected.length < rows.length) selective += 1;
    }
    // The comparison is only meaningful when most filters keep some rows and drop others.
    expect(selective).toBeGreaterThan(200);
  });
});

const DOUBLES = [-1.5, 0, 2, 3.25, 1e6];
const INTS = [-2, 0, 1, 3, 9007199254740991];
const STRINGS = ['', 'a', 'B', 'ab', 'é', 'b"q', "it's", 'Z\\'];
const INSTANTS = ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.001Z', '2026-06-30T12:00:00.000Z', '2025-12-31T23:59:59.999Z'];

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)] as T;
}

/** A row where each field is absent, JSON null or a value (instants stored canonical, as ingestion does). */
function randomRow(random: () => number): Record<string, Scalar> {
  const row: Record<string, Scalar> = {};
  const values: Record<string, () => Scalar> = {
    amount: () => pick(random, DOUBLES),
    attempts: () => pick(random, INTS),
    country: () => pick(random, STRINGS),
    approved: () => random() < 0.5,
    paid_at: () => pick(random, INSTANTS),
  };
  for (const [field, value] of Object.entries(values)) {
    const roll = random();
    if (roll < 0.1) continue;
    row[field] = roll < 0.2 ? null : value();
  }
  return row;
}

function randomFilter(random: () => number, depth: number): FilterExpr {
  const roll = random();
  if (depth > 0 && roll < 0.2) return { kind: 'not', operand: randomFilter(random, depth - 1) };
  if (depth > 0 && roll < 0.5) return { kind: random() < 0.5 ? 'and' : 'or', left: randomFilter(random, depth - 1), right: randomFilter(random, depth - 1) };
  const field = pick(random, Object.keys(TYPES));
  const type = typeOf(field);
  const op = type === 'BOOL' ? pick(random, ['==', '!='] as const) : pick(random, ['==', '!=', '<', '<=', '>', '>='] as const);
  const literal = type === 'DOUBLE' ? pick(random, DOUBLES) : type === 'INT64' ? pick(random, INTS) : type === 'STRING' ? pick(random, STRINGS) : type === 'BOOL' ? random() < 0.5 : pick(random, INSTANTS);
  return { kind: 'compare', field, op, literal };
}

/** Filter text that parses back to `expr` (fully parenthesized). */
function printFilter(expr: FilterExpr): string {
  switch (expr.kind) {
    case 'compare': {
      const literal = typeof expr.literal === 'string' ? `"${expr.literal.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : String(expr.literal);
      return `${expr.field} ${expr.op} ${literal}`;
    }
    case 'not':
      return `not (${printFilter(expr.operand)})`;
    default:
      return `(${printFilter(expr.left)}) ${expr.kind} (${printFilter(expr.right)})`;
  }
}

