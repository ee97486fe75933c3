import type { Scalar } from '../shared/scalar';

/** A comparison operator of the filter grammar. */
export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * A parsed row filter (FeatureSpec.filter / EntityQuery.filter): comparisons
 * `<field> <op> <literal>` (string literals in double quotes; numbers; true/false)
 * combined with `and`, `or`, `not` and parentheses.
 */
export type FilterExpr =
  | { readonly kind: 'compare'; readonly field: string; readonly op: ComparisonOp; readonly literal: Exclude<Scalar, null> }
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpr; readonly right: FilterExpr }
  | { readonly kind: 'not'; readonly operand: FilterExpr };
