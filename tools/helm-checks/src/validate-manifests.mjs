// Validates rendered Kubernetes manifests against the Kubernetes API schemas, with the validators
// that kubernetes-models (and @kubernetes-models/prometheus-operator, for monitoring.coreos.com)
// generate from the OpenAPI documents.
//
// A separate Node process because those packages are ES modules with only "import" export
// conditions, which Jest's CommonJS sandbox cannot load. schema-validation.ts starts it.
//
// Usage: node validate-manifests.mjs <rendered.yaml>...
// Prints one JSON object on stdout: { "<file>": [ { index, apiVersion, kind, name, errors } ] },
// one entry per non-empty YAML document in file order; `errors` is empty when the object is valid.
// An object whose apiVersion/kind has no known schema is an error, so nothing passes unvalidated.
// Exits 0 whenever it could read every file (the caller judges the errors), 2 on bad usage.
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';

/**
 * @typedef {{ apiVersion?: unknown, kind?: unknown, metadata?: { name?: unknown } }} Manifest
 * @typedef {{ index: number, apiVersion: string, kind: string, name: string, errors: string[] }} ValidationResult
 * @typedef {{ validate(): void }} Validatable
 * @typedef {new (data: Manifest) => Validatable} ModelClass
 */

/** Module prefixes to look a model up in, in order: `<prefix>/<apiVersion>/<Kind>`. */
const MODEL_PACKAGES = ['kubernetes-models', '@kubernetes-models/prometheus-operator'];

/** @type {Map<string, Promise<ModelClass | undefined>>} */
const models = new Map();

/**
 * The model class for an apiVersion and kind, or undefined when no package knows it.
 * @param {string} apiVersion e.g. "apps/v1", "v1", "monitoring.coreos.com/v1"
 * @param {string} kind e.g. "Deployment"
 * @returns {Promise<ModelClass | undefined>}
 */
function modelFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  let model = models.get(key);
  if (model === undefined) {
    model = loadModel(apiVersion, kind);
    models.set(key, model);
  }
  return model;
}

/**
 * @param {string} apiVersion
 * @param {string} kind
 * @returns {Promise<ModelClass | undefined>}
 */
async function loadModel(apiVersion, kind) {
  // Both end up in an import specifier: refuse anything that is not a plain group/version and Kind.
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  for (const prefix of MODEL_PACKAGES) {
    try {
      const module = await import(`${prefix}/${apiVersion}/${kind}`);
      const model = module[kind];
      if (typeof model === 'function') return model;
    } catch (error) {
      const code = /** @type {{ code?: string }} */ (error).code;
      if (code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && code !== 'ERR_MODULE_NOT_FOUND') throw error;
    }
  }
  return undefined;
}

/**
 * Validates every document of one rendered YAML stream.
 * @param {string} text the output of `helm template`
 * @returns {Promise<ValidationResult[]>}
 */
async function validateStream(text) {
  /** @type {ValidationResult[]} */
  const results = [];
  let index = 0;
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      results.push({ index: index++, apiVersion: '?', kind: '?', name: '?', errors: document.errors.map((e) => `YAML: ${e.message}`) });
      continue;
    }
    /** @type {Manifest | null} */
    const object = document.toJS();
    if (object === null || object === undefined) continue;
    const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
    const kind = typeof object.kind === 'string' ? object.kind : '';
    const name = typeof object.metadata?.name === 'string' ? object.metadata.name : '';
    const result = { index: index++, apiVersion, kind, name, errors: /** @type {string[]} */ ([]) };
    results.push(result);
    if (apiVersion === '' || kind === '') {
      result.errors.push('has no apiVersion or kind');
      continue;
    }
    const model = await modelFor(apiVersion, kind);
    if (model === undefined) {
      result.errors.push(`no schema known for apiVersion "${apiVersion}" kind "${kind}" (looked in ${MODEL_PACKAGES.join(', ')}); add its model package to the validator`);
      continue;
    }
    try {
      new model(object).validate();
    } catch (error) {
      // The validators report every violation in one message: "data/spec must have required property selector, ..."
      result.errors.push(...String(/** @type {Error} */ (error).message).split(/, (?=data[/ ])/));
    }
  }
  return results;
}

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: node validate-manifests.mjs <rendered.yaml>...\n');
    process.exitCode = 2;
    return;
  }
  /** @type {Record<string, ValidationResult[]>} */
  const report = {};
  for (const file of files) report[file] = await validateStream(await readFile(file, 'utf8'));
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main();
