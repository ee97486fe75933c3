import { type commonV1, type gatewayV1, type oipV1, PREDICTION_LIMITS, predictionRowViolations } from '@strata/contracts';
import { type FieldViolation, InvalidArgumentError } from '@strata/service-runtime';
import { emptyContents } from '../open-inference/oip-datatypes';
import { OipRequestError, parseInferRequest } from '../open-inference/oip-json';
import { type ElementJson, toInferResponseJson } from '../open-inference/oip-json-response';
import { carriedDatatype, inputsError, type ModelInputSchema } from './input-schema';
import { appendMember } from './problem';
import type { JsonSchema } from './rest-route';

// `POST /v1/models/{name}:predict` JSON ⇄ strata.gateway.v1 PredictRequest/PredictResponse.

/** A feature value in a prediction row. */
export type FeatureJson = number | boolean | string | null;

/** A tensor given with its type and shape (the same layout as an Open Inference Protocol input). */
export interface TensorInputJson {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

/** The predict body (already checked against {@link PREDICT_BODY_SCHEMA}). */
export interface PredictBodyJson {
  inputs?: Record<string, unknown> | TensorInputJson[];
  rows?: { entity_id?: string; features?: Record<string, FeatureJson> }[];
  version?: number;
  alias?: string;
  routing_key?: string;
  output_names?: string[];
  strict_features?: boolean;
  max_feature_staleness_ms?: number;
}

/** JSON schema of the predict body (structure; the inputs are checked against the model's metadata). */
export const PREDICT_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    inputs: {
      description: 'model inputs: { <input name>: nested array as the input shape } (datatype from the model metadata), or [{ name, datatype, shape, data }] (Open Inference Protocol layout)',
      type: ['object', 'array'],
      items: {
        type: 'object',
        required: ['name', 'datatype', 'shape', 'data'],
        properties: { name: { type: 'string' }, datatype: { type: 'string' }, shape: { type: 'array', items: { type: 'integer' } }, data: { type: 'array' } },
      },
      additionalProperties: { type: 'array' },
    },
    rows: {
      description: `prediction rows: entity ID for the online feature fetch and caller-supplied feature values; at most ${PREDICTION_LIMITS.maxRows} rows and ${PREDICTION_LIMITS.maxFeatureValues} feature values in all (rows × features)`,
      type: 'array',
      maxItems: PREDICTION_LIMITS.maxRows,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          entity_id: { type: 'string', description: `at most ${PREDICTION_LIMITS.maxEntityIdBytes} bytes (UTF-8)` },
          features: {
            type: 'object',
            description: `feature values by name (names of at most ${PREDICTION_LIMITS.maxFeatureNameBytes} bytes); numbers must be finite, null is a missing value`,
            additionalProperties: { type: ['number', 'boolean', 'string', 'null'] },
          },
        },
      },
    },
    version: { type: 'integer', minimum: 1, maximum: 2_147_483_647, description: 'exact model version (not with alias)' },
    alias: { type: 'string', minLength: 1, maxLength: 128, description: 'alias such as production or canary (not with version)' },
    routing_key: { type: 'string', maxLength: 256, description: 'sticky routing key for the traffic split' },
    output_names: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'outputs to return; all when absent' },
    strict_features: { type: 'boolean', description: 'fail instead of degrading when a stored feature is not present' },
    max_feature_staleness_ms: { type: 'integer', minimum: 0, maximum: 315_360_000_000, description: 'staleness limit of fetched features' },
  },
};

const TENSOR_JSON_SCHEMA: JsonSchema = { type: 'object', additionalProperties: { description: 'nested array as the tensor shape' } };

/** JSON schema of the predict response. */
export const PREDICT_RESPONSE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['model_name', 'model_version', 'alias', 'outputs', 'feature_contract', 'degradation', 'timings', 'request_id'],
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'integer' },
    alias: { type: 'string', description: 'alias the version was chosen through; empty for an exact version' },
    outputs: TENSOR_JSON_SCHEMA,
    feature_contract: {
      type: ['object', 'null'],
      properties: { feature_set: { type: 'object', properties: { name: { type: 'string' }, version: { type: 'integer' } } }, digest: { type: 'string' } },
    },
    degradation: {
      type: 'object',
      properties: {
        features_stale: { type: 'boolean' },
        features_defaulted: { type: 'boolean' },
        features_missing: { type: 'boolean' },
        feature_fetch_failed: { type: 'boolean' },
        version_fallback: { type: 'boolean' },
        feature_issues: { type: 'array', items: { type: 'object', properties: { entity_id: { type: 'string' }, feature: { type: 'string' }, status: { type: 'string' } } } },
      },
    },
    timings: { type: 'object', properties: { feature_fetch_us: { type: 'integer' }, queue_us: { type: 'integer' }, inference_us: { type: 'integer' }, total_us: { type: 'integer' } } },
    request_id: { type: 'string' },
  },
};

/** `{ <input>: nested array }` as wire tensors, after {@link ModelInputSchema.check}. */
export function namedInputsToTensors(schema: ModelInputSchema, inputs: Record<string, unknown>): commonV1.Tensor[] {
  const shapes = schema.check(inputs);
  const names = Object.keys(inputs);
  const violations: FieldViolation[] = [];
  const listed = names.flatMap((name) => {
    const spec = schema.spec(name);
    const datatype = spec === undefined ? undefined : carriedDatatype(spec.datatype);
    if (spec === undefined || datatype === undefined) {
      violations.push({ field: appendMember('inputs', name), description: `input ${name} takes ${spec?.datatype ?? 'an unknown datatype'}, which the REST API cannot carry; use the gRPC API` });
      return [];
    }
    const shape = shapes.get(name) ?? [];
    return [{ name, datatype, shape, data: shape.length === 0 ? [inputs[name]] : inputs[name] }];
  });
  if (violations.length > 0) throw inputsError(violations);
  try {
    return toTensors(parseInferRequest({ inputs: listed }, { modelName: '' }).inputs);
  } catch (error) {
    if (!(error instanceof OipRequestError)) throw error;
    // inputs[i].data[...] → inputs.<name>[...]
    throw inputsError(
      error.fieldViolations.map((violation) => {
        const match = /^inputs\[([0-9]+)\](?:\.data)?(.*)$/.exec(violation.field);
        const name = match === null ? undefined : listed[Number(match[1])]?.name;
        return name === undefined ? violation : { field: `${appendMember('inputs', name)}${(match?.[2] ?? '').replace(/^\.(datatype|shape)$/, '')}`, description: violation.description };
      }),
    );
  }
}

/** `[{ name, datatype, shape, data }]` as wire tensors, checked against the model's inputs. */
export function listedInputsToTensors(schema: ModelInputSchema, inputs: readonly unknown[]): commonV1.Tensor[] {
  const parsed = parseInferRequest({ inputs }, { modelName: '' }).inputs;
  const violations: FieldViolation[] = [];
  parsed.forEach((tensor, index) => {
    const spec = schema.spec(tensor.name);
    if (spec === undefined) {
      violations.push({ field: `inputs[${index}].name`, description: `the model has no input ${JSON.stringify(tensor.name)}; its inputs are ${schema.inputs.map((input) => input.name).join(', ')}` });
      return;
    }
    if (spec.datatype !== tensor.datatype) violations.push({ field: `inputs[${index}].datatype`, description: `input ${spec.name} takes ${spec.datatype}` });
    const fits = spec.shape.length === tensor.shape.length && spec.shape.every((dim, at) => dim < 0 || String(dim) === tensor.shape[at]);
    if (!fits) violations.push({ field: `inputs[${index}].shape`, description: `input ${spec.name} has shape [${spec.shape.join(', ')}] (-1 = any size)` });
  });
  if (violations.length > 0) throw inputsError(violations);
  return toTensors(parsed);
}

function toTensors(inputs: readonly oipV1.ModelInferRequest_InferInputTensor[]): commonV1.Tensor[] {
  return inputs.map((input) => ({
    name: input.name,
    datatype: `TENSOR_DATA_TYPE_${input.datatype}` as commonV1.TensorDataType,
    shape: input.shape,
    contents: input.contents ?? emptyContents(),
    rawContents: Buffer.alloc(0),
  }));
}

/**
 * Checks the body's rows against the contract's limits before anything is forwarded: entity IDs,
 * feature names, feature values in all (rows × features), and no feature value that is NaN or
 * ±Infinity (`1e400` parses as Infinity).
 *
 * @throws InvalidArgumentError listing every bad field (`rows[0].entity_id`, `rows[0].features.distance`).
 */
export function checkRowsJson(rows: PredictBodyJson['rows']): void {
  const violations = predictionRowViolations((rows ?? []).map((row) => ({ entityId: row.entity_id ?? '', features: row.features ?? {} })));
  if (violations.length === 0) return;
  throw InvalidArgumentError.listing(`invalid rows (${violations.length} bad field${violations.length === 1 ? '' : 's'})`, violations);
}

/** The wire PredictRequest of a checked body for model `name`. */
export function toPredictRequest(name: string, body: PredictBodyJson, inputs: commonV1.Tensor[]): gatewayV1.PredictRequest {
  const staleness = body.max_feature_staleness_ms;
  return {
    model: { name, ...(body.version === undefined ? {} : { version: body.version }), ...(body.alias === undefined ? {} : { alias: body.alias }) },
    inputs,
    rows: (body.rows ?? []).map((row) => ({
      entityId: row.entity_id ?? '',
      features: Object.fromEntries(Object.entries(row.features ?? {}).map(([feature, value]) => [feature, valueOf(value)])),
    })),
    featureSet: null,
    routingKey: body.routing_key ?? '',
    outputNames: body.output_names ?? [],
    maxFeatureStaleness: staleness === undefined ? null : { seconds: String(Math.floor(staleness / 1000)), nanos: (staleness % 1000) * 1_000_000 },
    strictFeatures: body.strict_features ?? false,
  };
}

function valueOf(value: FeatureJson): commonV1.Value {
  if (value === null) return { nullReason: 'NULL_REASON_EXPLICIT' as commonV1.NullReason };
  if (typeof value === 'number') return { doubleValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return { stringValue: value };
}

/** A nested JSON array as `shape` (row-major `flat`); a scalar for an empty shape. */
export type NestedJson = ElementJson | NestedJson[];

/** Nests row-major `flat` as `shape`. */
export function nestAsShape(flat: readonly ElementJson[], shape: readonly number[]): NestedJson {
  if (shape.length === 0) return flat[0] ?? null;
  let offset = 0;
  const build = (depth: number): NestedJson[] => {
    const size = shape[depth] as number;
    const out: NestedJson[] = [];
    for (let index = 0; index < size; index += 1) {
      if (depth === shape.length - 1) out.push(flat[offset++] as ElementJson);
      else out.push(build(depth + 1));
    }
    return out;
  };
  return build(0);
}

/** The predict response JSON (outputs nested by shape, timings with the gateway's total). */
export function toPredictJson(response: gatewayV1.PredictResponse, requestId: string, totalUs: number): Record<string, unknown> {
  const allRaw = response.outputs.length > 0 && response.outputs.every((output) => output.rawContents.length > 0);
  const asOip = toInferResponseJson({
    modelName: response.modelName,
    modelVersion: '',
    id: '',
    parameters: {},
    outputs: response.outputs.map((output) => ({ name: output.name, datatype: output.datatype.replace(/^TENSOR_DATA_TYPE_/, ''), shape: output.shape, parameters: {}, contents: output.contents ?? emptyContents() })),
    rawOutputContents: allRaw ? response.outputs.map((output) => output.rawContents) : [],
  });
  const contract = response.featureContract;
  const degradation = response.degradation;
  const timings = response.timings;
  return {
    model_name: response.modelName,
    model_version: response.modelVersion,
    alias: response.alias,
    outputs: Object.fromEntries(asOip.outputs.map((output) => [output.name, nestAsShape(output.data, output.shape)])),
    feature_contract: contract == null ? null : { feature_set: { name: contract.featureSet?.name ?? '', version: contract.featureSet?.version ?? 0 }, digest: contract.digest },
    degradation: {
      features_stale: degradation?.featuresStale ?? false,
      features_defaulted: degradation?.featuresDefaulted ?? false,
      features_missing: degradation?.featuresMissing ?? false,
      feature_fetch_failed: degradation?.featureFetchFailed ?? false,
      version_fallback: degradation?.versionFallback ?? false,
      feature_issues: (degradation?.featureIssues ?? []).map((issue) => ({ entity_id: issue.entityId, feature: issue.feature, status: issue.status })),
    },
    timings: { feature_fetch_us: timings?.featureFetchUs ?? 0, queue_us: timings?.queueUs ?? 0, inference_us: timings?.inferenceUs ?? 0, total_us: Math.min(4_294_967_295, totalUs) },
    request_id: requestId,
  };
}
