import { Injectable } from '@nestjs/common';
import { getRequestContext, newRequestId, setModelVersion } from '@strata/observability';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '@strata/service-runtime';
import { type InferenceTensor, InvalidInputError, ModelUnavailableError } from '../model-runtime';
import { chooseAlias } from '../routing/traffic-router';
import { ModelCatalog } from './model-catalog';

/** A prediction request in domain terms. */
export interface PredictionRequest {
  readonly modelName: string;
  /** An exact version (> 0), an alias, or neither (the traffic policy decides). */
  readonly version?: number;
  readonly alias?: string;
  readonly inputs: Readonly<Record<string, InferenceTensor>>;
  readonly routingKey: string;
  /** Output names to return; empty = all. */
  readonly outputNames: readonly string[];
}

/** What was served. */
export interface Prediction {
  readonly modelName: string;
  readonly version: number;
  /** Empty when the request named an exact version. */
  readonly alias: string;
  readonly outputs: Readonly<Record<string, InferenceTensor>>;
  readonly computeMs: number;
}

/**
 * Runs a prediction on the version the request selects: an exact version (one an alias
 * currently serves), an alias, or the model's traffic policy, deterministic by routing key (the
 * request ID when none is given, so a retried request reaches the same version).
 */
@Injectable()
export class PredictionService {
  constructor(private readonly catalog: ModelCatalog) {}

  async predict(request: PredictionRequest): Promise<Prediction> {
    const served = this.catalog.find(request.modelName);
    if (served === undefined) throw new NotFoundError(`model ${request.modelName} is not released to this service`);
    const alias = this.aliasFor(request);
    const started = performance.now();
    try {
      const { version, outputs } = await served.predict(alias, request.inputs);
      setModelVersion(String(version), request.modelName);
      return { modelName: request.modelName, version, alias: request.version === undefined ? alias : '', outputs: pick(outputs, request.outputNames), computeMs: performance.now() - started };
    } catch (error) {
      if (error instanceof InvalidInputError) throw new InvalidArgumentError(error.message, [{ field: `inputs[${error.field}]`, description: error.message }]);
      if (error instanceof ModelUnavailableError) throw new UnavailableError(`${request.modelName}@${alias} has no loaded version yet; retry with backoff`);
      throw error;
    }
  }

  private aliasFor(request: PredictionRequest): string {
    const served = this.catalog.find(request.modelName);
    if (request.version !== undefined) {
      const holder = served?.status().find((status) => status.version === request.version);
      if (holder === undefined) throw new NotFoundError(`${request.modelName} version ${request.version} is not served here (serve it through an alias)`);
      return holder.alias;
    }
    if (request.alias !== undefined) {
      if (served?.status().some((status) => status.alias === request.alias) !== true) throw new NotFoundError(`${request.modelName} has no alias "${request.alias}" on this service`);
      return request.alias;
    }
    const key = request.routingKey !== '' ? request.routingKey : (getRequestContext().requestId ?? newRequestId());
    return chooseAlias(this.catalog.policyOf(request.modelName), key);
  }
}

function pick(outputs: Readonly<Record<string, InferenceTensor>>, names: readonly string[]): Record<string, InferenceTensor> {
  if (names.length === 0) return { ...outputs };
  const picked: Record<string, InferenceTensor> = {};
  for (const name of names) {
    const tensor = outputs[name];
    if (tensor === undefined) throw new InvalidArgumentError(`unknown output "${name}"`, [{ field: 'output_names', description: `the model has outputs ${Object.keys(outputs).join(', ')}` }]);
    picked[name] = tensor;
  }
  return picked;
}
