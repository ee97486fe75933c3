// JSON files given on the command line (metrics, params, lineage): read, validated, and
// mapped to request fields. Problems are UsageErrors naming the file and the key.
import type { commonV1, registryV1 } from '@strata/contracts';
import { readFileSync } from 'node:fs';
import { parseInteger } from './args';
import { UsageError } from './errors';

/** Reads a JSON file that must hold an object. */
export function readJsonObject(file: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${what}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what}: ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`${what}: ${file} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

/** Metrics: an object of numbers, e.g. `{"auc": 0.81, "logloss": 0.42}`. */
export function metricsFromObject(object: Record<string, unknown>, what: string): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(object)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new UsageError(`${what}: metric "${name}" must be a number, got ${JSON.stringify(value)}`);
    metrics[name] = value;
  }
  return metrics;
}

/** Params: an object of scalars (strings kept, others as their JSON text), e.g. `{"lr": 0.01}`. */
export function paramsFromObject(object: Record<string, unknown>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(object)) params[name] = typeof value === 'string' ? value : JSON.stringify(value);
  return params;
}

/** `name@version` or `name@version=sha256:<64 hex>` -> a FeatureContract. */
export function parseFeatureContract(text: string, what = '--feature-set'): commonV1.FeatureContract {
  const match = /^([a-z][a-z0-9_]{0,62})@(\d+)(?:=(sha256:[0-9a-f]{64}))?$/.exec(text.trim());
  if (match === null) throw new UsageError(`${what}: expected name@version or name@version=sha256:<hex>, got "${text}"`);
  const [, name = '', version = '', digest = ''] = match;
  return { featureSet: { name, version: parseInteger(version, what, 1) }, digest };
}

function stringField(object: Record<string, unknown>, camel: string, snake: string, what: string): string {
  const value = object[camel] ?? object[snake];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new UsageError(`${what}: "${camel}" must be a string`);
  return value;
}

function featureContractFromJson(value: unknown, what: string): commonV1.FeatureContract {
  if (typeof value === 'string') return parseFeatureContract(value, what);
  if (value === null || typeof value !== 'object') throw new UsageError(`${what}: each feature contract must be "name@version" or an object`);
  const entry = value as Record<string, unknown>;
  const featureSet = (entry['featureSet'] ?? entry['feature_set']) as { name?: unknown; version?: unknown } | undefined;
  if (typeof featureSet?.name !== 'string' || typeof featureSet.version !== 'number') {
    throw new UsageError(`${what}: a feature contract needs featureSet.name (string) and featureSet.version (number)`);
  }
  return { featureSet: { name: featureSet.name, version: featureSet.version }, digest: stringField(entry, 'digest', 'digest', what) };
}

/**
 * Lineage in the proto3 JSON form (camelCase or snake_case keys):
 * `{"trainingJobId", "datasetSnapshotId", "datasetSnapshotDigest", "featureContracts": [...], "codeVersion"}`;
 * a feature contract is `{"featureSet": {"name", "version"}, "digest"}` or `"name@version"`.
 */
export function lineageFromObject(object: Record<string, unknown>, what: string): registryV1.Lineage {
  const contracts = object['featureContracts'] ?? object['feature_contracts'] ?? [];
  if (!Array.isArray(contracts)) throw new UsageError(`${what}: "featureContracts" must be an array`);
  return {
    trainingJobId: stringField(object, 'trainingJobId', 'training_job_id', what),
    datasetSnapshotId: stringField(object, 'datasetSnapshotId', 'dataset_snapshot_id', what),
    datasetSnapshotDigest: stringField(object, 'datasetSnapshotDigest', 'dataset_snapshot_digest', what),
    featureContracts: contracts.map((entry) => featureContractFromJson(entry, what)),
    codeVersion: stringField(object, 'codeVersion', 'code_version', what),
  };
}
