import type { FieldViolation } from '@strata/service-runtime';

/** Names of sources, feature sets, entities and features (strata.common.v1 conventions). */
export const RESOURCE_NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/** The violation of a lower_snake_case name at `field`, or undefined when it is valid. */
export function resourceNameViolation(field: string, name: string): FieldViolation | undefined {
  if (name === '') return { field, description: 'required' };
  if (!RESOURCE_NAME_PATTERN.test(name)) {
    return { field, description: `"${name}" is not a valid name: 1-63 characters, lowercase letters, digits and "_", starting with a letter` };
  }
  return undefined;
}
