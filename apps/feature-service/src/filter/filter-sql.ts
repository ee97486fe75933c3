import type { ScalarType } from '../shared/scalar';
import type { ComparisonOp, FilterExpr } from './filter';

const FIELD_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const COLUMN_REFERENCE = /^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?$/;
const SQL_OPERATORS: Readonly<Record<ComparisonOp, string>> = { '==': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/**
 * Typed SQL access to one payload field: DOUBLE/INT64 as `float8`, STRING as text,
 * BOOL as boolean, TIMESTAMP as timestamptz. A missing or JSON-null field is SQL NULL.
 * The field name is checked to be lower_snake_case, so inlining it is safe.
 */
export function payloadFieldSql(field: string, type: ScalarType, payloadColumn = 'payload'): string {
  const column = checkedColumn(payloadColumn);
  if (!FIELD_NAME.test(field)) throw new Error(`not a field name: ${JSON.stringify(field)}`);
  const text = `(${column}->>'${field}')`;
  switch (type) {
    case 'DOUBLE':
    case 'INT64':
      return `${text}::float8`;
    case 'STRING':
      return text;
    case 'BOOL':
      return `${text}::boolean`;
    case 'TIMESTAMP':
      return `${text}::timestamptz`;
  }
}

/**
 * The filter as a boolean SQL expression over the JSONB payload column, never NULL: a
 * comparison with a null field is false (as in {@link evaluateFilter}), and `not` of it is
 * true. Strings compare in code point order (`COLLATE "C"`). Literals are escaped; check
 * the filter with filterTypeProblems first — a literal of the wrong type throws.
 */
export function filterToSql(expr: FilterExpr, typeOf: (field: string) => ScalarType, payloadColumn = 'payload'): string {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return `(${filterToSql(expr.left, typeOf, payloadColumn)} ${expr.kind.toUpperCase()} ${filterToSql(expr.right, typeOf, payloadColumn)})`;
    case 'not':
      return `(NOT COALESCE(${filterToSql(expr.operand, typeOf, payloadColumn)}, false))`;
    case 'compare': {
      const type = typeOf(expr.field);
      const collate = type === 'STRING' ? ' COLLATE "C"' : '';
      return `COALESCE(${payloadFieldSql(expr.field, type, payloadColumn)}${collate} ${SQL_OPERATORS[expr.op]} ${literalSql(expr.literal, type, expr.field)}, false)`;
    }
  }
}

/** A SQL string literal: single quotes doubled (standard_conforming_strings keeps backslashes literal). */
export function sqlStringLiteral(text: string): string {
  if (text.includes('\u0000')) throw new Error('NUL characters cannot be in SQL text');
  return `'${text.replaceAll("'", "''")}'`;
}

function literalSql(literal: string | number | boolean, type: ScalarType, field: string): string {
  const mismatch = () => new Error(`filter literal ${JSON.stringify(literal)} does not compare with ${type} field ${field}`);
  switch (type) {
    case 'DOUBLE':
    case 'INT64':
      if (typeof literal !== 'number' || !Number.isFinite(literal)) throw mismatch();
      return `${sqlStringLiteral(String(literal))}::float8`;
    case 'STRING':
      if (typeof literal !== 'string') throw mismatch();
      return sqlStringLiteral(literal);
    case 'BOOL':
      if (typeof literal !== 'boolean') throw mismatch();
      return literal ? 'true' : 'false';
    case 'TIMESTAMP':
      if (typeof literal !== 'string') throw mismatch();
      return `${sqlStringLiteral(literal)}::timestamptz`;
  }
}

function checkedColumn(payloadColumn: string): string {
  if (!COLUMN_REFERENCE.test(payloadColumn)) throw new Error(`not a column reference: ${JSON.stringify(payloadColumn)}`);
  return payloadColumn;
}
