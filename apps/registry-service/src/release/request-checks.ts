import { type FieldViolation, InvalidArgumentError } from '@strata/service-runtime';
import { aliasNameProblem } from '../alias/alias';
import { modelNotFound } from '../model/model.errors';
import type { RegisteredModel, RegisteredModelRepository } from './registered-model.repository';

/** The model named in a request: INVALID_ARGUMENT when the name is empty, NOT_FOUND when it does not exist. */
export async function requireModel(models: Pick<RegisteredModelRepository, 'find'>, name: string, field = 'model_name'): Promise<RegisteredModel> {
  if (name === '') throw new InvalidArgumentError(`${field} is required`, [{ field, description: 'required' }]);
  const model = await models.find(name);
  if (model === undefined) throw modelNotFound(name);
  return model;
}

/** Collects field violations of a request and throws them together as INVALID_ARGUMENT. */
export class RequestCheck {
  private readonly violations: FieldViolation[] = [];

  alias(field: string, name: string): this {
    const problem = aliasNameProblem(name);
    if (problem !== undefined) this.violations.push({ field, description: problem });
    return this;
  }

  required(field: string, value: string): this {
    if (value.trim() === '') this.violations.push({ field, description: 'required' });
    return this;
  }

  add(violations: readonly FieldViolation[]): this {
    this.violations.push(...violations);
    return this;
  }

  that(condition: boolean, field: string, description: string): this {
    if (!condition) this.violations.push({ field, description });
    return this;
  }

  /** Throws INVALID_ARGUMENT listing every violation, if any. */
  orThrow(what: string): void {
    if (this.violations.length > 0) this.fail(what);
  }

  /** Throws INVALID_ARGUMENT listing every violation (call it when one is known to exist). */
  fail(what: string): never {
    const summary = this.violations.map((v) => `${v.field}: ${v.description}`).join('; ');
    throw new InvalidArgumentError(`invalid ${what}: ${summary}`, this.violations);
  }
}
