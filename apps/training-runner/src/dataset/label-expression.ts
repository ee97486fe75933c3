/** How a label is read from its source field. */
export type LabelExpression =
  | { readonly kind: 'field'; readonly field: string }
  | { readonly kind: 'comparison'; readonly field: string; readonly op: '==' | '!=' | '<' | '<=' | '>' | '>='; readonly value: number };

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const COMPARISON = /^([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?)$/;

/**
 * Parses `LabelSpec.field`: a source field name (`delay`), or one comparison of a numeric field
 * with a number (`delay > 15`), which yields a 0/1 label for binary classification.
 * Returns undefined for anything else.
 */
export function parseLabelExpression(text: string): LabelExpression | undefined {
  const trimmed = text.trim();
  if (FIELD.test(trimmed)) return { kind: 'field', field: trimmed };
  const match = COMPARISON.exec(trimmed);
  if (match === null) return undefined;
  return { kind: 'comparison', field: match[1] as string, op: match[2] as LabelExpression extends { op: infer O } ? O : never, value: Number(match[3]) };
}

/** The label value of a source value under `expression` (null stays null: the row has no label). */
export function labelValueOf(expression: LabelExpression, value: number | string | boolean | null): number | string | boolean | null {
  if (expression.kind === 'field' || value === null) return value;
  const x = typeof value === 'boolean' ? Number(value) : Number(value);
  if (!Number.isFinite(x)) return null;
  switch (expression.op) {
    case '==':
      return x === expression.value;
    case '!=':
      return x !== expression.value;
    case '<':
      return x < expression.value;
    case '<=':
      return x <= expression.value;
    case '>':
      return x > expression.value;
    case '>=':
      return x >= expression.value;
  }
}
