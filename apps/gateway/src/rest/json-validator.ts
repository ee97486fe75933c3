import AjvCompiler from '@fastify/ajv-compiler';
import type { JsonSchema } from './rest-route';

/** One schema violation, as ajv reports it. */
export interface SchemaIssue {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

/** A compiled schema: true, or false with `errors`. */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: SchemaIssue[] | null;
}

// Fastify's own schema compiler (ajv 8), strict: every error listed, no type coercion, no
// defaults filled in, nothing removed — a misspelt member is refused, never silently dropped.
const compile = AjvCompiler()({}, { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: false } });

/** Compiles `schema` for `httpPart` (the REST routes' Fastify validator compiler and the model input schemas). */
export function compileSchema(schema: JsonSchema, httpPart = 'body'): CompiledValidator {
  return compile({ schema: schema as Record<string, unknown>, httpPart }) as unknown as CompiledValidator;
}
