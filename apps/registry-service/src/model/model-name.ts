import type { FieldViolation } from '@strata/service-runtime';

/** Model names, as the contract (strata.common.v1 conventions) defines them. */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** The violation of a model name given in `field`, or undefined when it is valid. */
export function modelNameViolation(field: string, name: string): FieldViolation | undefined {
  if (name === '') return { field, description: 'required' };
  if (!MODEL_NAME_PATTERN.test(name)) {
    return { field, description: `must match ${MODEL_NAME_PATTERN.source} (1-63 lowercase letters, digits, "-" and "_", starting with a letter or digit), got ${JSON.stringify(name)}` };
  }
  return undefined;
}
