import { impossibleInstantText, parseInstantText } from '@strata/service-runtime';
import type { ScalarType } from '../shared/scalar';
import type { FilterExpr } from './filter';

/**
 * Why a parsed filter cannot run against a schema: unknown fields, and literals whose
 * type does not compare with the field's type (numbers for DOUBLE/INT64, strings for
 * STRING and TIMESTAMP — an RFC 3339 instant —, true/false for BOOL with == or != only).
 * Empty when the filter is usable. `typeOf` answers undefined for an unknown field.
 */
export function filterTypeProblems(expr: FilterExpr, typeOf: (field: string) => ScalarType | undefined): string[] {
  const problems: string[] = [];
  const visit = (node: FilterExpr): void => {
    if (node.kind === 'not') return visit(node.operand);
    if (node.kind !== 'compare') {
      visit(node.left);
      visit(node.right);
      return;
    }
    const type = typeOf(node.field);
    if (type === undefined) {
      problems.push(`unknown field "${node.field}"`);
      return;
    }
    const literal = typeof node.literal === 'string' ? `"${node.literal}"` : String(node.literal);
    const problem = literalProblem(type, node.op, node.literal);
    if (problem !== undefined) problems.push(`${node.field} ${node.op} ${literal}: ${problem}`);
  };
  visit(expr);
  return problems;
}

function literalProblem(type: ScalarType, op: string, literal: string | number | boolean): string | undefined {
  switch (type) {
    case 'DOUBLE':
    case 'INT64':
      return typeof literal === 'number' ? undefined : `field is ${type}, compare it with a number`;
    case 'STRING':
      return typeof literal === 'string' ? undefined : 'field is STRING, compare it with a double-quoted string';
    case 'TIMESTAMP':
      if (typeof literal !== 'string') return 'field is TIMESTAMP, compare it with an RFC 3339 string such as "2001-01-01T00:00:00Z"';
      if (isInstant(literal)) return undefined;
      return impossibleInstantText(literal) === undefined ? `"${literal}" is not an RFC 3339 instant with a time zone, e.g. "2001-01-01T00:00:00Z"` : `"${literal}" is not a real time (${impossibleInstantText(literal)})`;
    case 'BOOL':
      if (typeof literal !== 'boolean') return 'field is BOOL, compare it with true or false';
      return op === '==' || op === '!=' ? undefined : 'BOOL fields only support == and !=';
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Whether `text` is an RFC 3339 instant with an explicit offset and at most millisecond precision (so SQL and JS read the same instant). */
export function isInstant(text: string): boolean {
  return RFC3339.test(text) && !Number.isNaN(parseInstantText(text));
}
