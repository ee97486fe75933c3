/** Row filters (FeatureSpec.filter, EntityQuery.filter): parse, type-check, compile to SQL, evaluate in memory. */
export type { ComparisonOp, FilterExpr } from './filter';
export { evaluateFilter } from './filter-evaluator';
export { filterFields, parseFilter, FilterSyntaxError } from './filter-parser';
export { filterToSql, payloadFieldSql, sqlStringLiteral } from './filter-sql';
export { filterTypeProblems, isInstant } from './filter-types';
