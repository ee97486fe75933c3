import type { Scalar, ScalarType } from '../shared/scalar';
import type { ComparisonOp, FilterExpr } from './filter';

/**
 * Evaluates a filter on one row in memory, with the semantics of {@link filterToSql}: a
 * comparison with a null or absent field (or a value of another type) is false, `not`
 * negates that, strings compare in code point order. With `typeOf`, TIMESTAMP fields
 * compare as instants; without it, timestamps compare as their (canonical RFC 3339) text.
 */
export function evaluateFilter(expr: FilterExpr, row: Readonly<Record<string, Scalar>>, typeOf?: (field: string) => ScalarType | undefined): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluateFilter(expr.left, row, typeOf) && evaluateFilter(expr.right, row, typeOf);
    case 'or':
      return evaluateFilter(expr.left, row, typeOf) || evaluateFilter(expr.right, row, typeOf);
    case 'not':
      return !evaluateFilter(expr.operand, row, typeOf);
    case 'compare': {
      const value = Object.hasOwn(row, expr.field) ? row[expr.field] : null;
      if (value === null || value === undefined) return false;
      const order = compareValues(value, expr.literal, typeOf?.(expr.field));
      return order === undefined ? false : holds(expr.op, order);
    }
  }
}

/** -1/0/1 ordering of a row value against a literal; undefined when they do not compare. */
function compareValues(value: Exclude<Scalar, null>, literal: Exclude<Scalar, null>, type: ScalarType | undefined): number | undefined {
  if (type === 'TIMESTAMP') {
    const left = Date.parse(String(value));
    const right = Date.parse(String(literal));
    return Number.isNaN(left) || Number.isNaN(right) ? undefined : Math.sign(left - right);
  }
  if (typeof literal === 'number') {
    const numeric = typeof value === 'number' ? value : typeof value === 'string' && type === 'INT64' ? Number(value) : Number.NaN;
    return Number.isNaN(numeric) ? undefined : numeric < literal ? -1 : numeric > literal ? 1 : 0;
  }
  if (typeof literal === 'string') return typeof value === 'string' ? compareCodePoints(value, literal) : undefined;
  return typeof value === 'boolean' ? Number(value) - Number(literal) : undefined;
}

/** String order by Unicode code point (= UTF-8 byte order = PostgreSQL's "C" collation). */
function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
    const difference = (left[index]?.codePointAt(0) ?? 0) - (right[index]?.codePointAt(0) ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return Math.sign(left.length - right.length);
}

function holds(op: ComparisonOp, order: number): boolean {
  switch (op) {
    case '==':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}
