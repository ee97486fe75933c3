// `strata versions register`: the header built from flags and JSON files, then the upload.
import type { registryV1 } from '@strata/contracts';
import type { Command } from 'commander';
import path from 'node:path';
import { collect, parseKeyValue, parseTags } from '../args';
import { digestFile, fileChunks, fileSize } from '../artifact-io';
import { type CliDeps, type CommandContext, withContext } from '../context';
import { present, UsageError } from '../errors';
import { lineageFromObject, metricsFromObject, paramsFromObject, parseFeatureContract, readJsonObject } from '../input-files';
import { renderVersion } from '../output/model-views';
import { createProgress } from '../progress';

/** Options of `versions register`. */
export interface RegisterOptions {
  metrics?: string;
  params?: string;
  lineage?: string;
  trainingJob?: string;
  datasetSnapshot?: string;
  datasetDigest?: string;
  featureSet?: string[];
  codeVersion?: string;
  tag?: string[];
  description?: string;
  inputBinding?: string[];
  progress?: boolean;
}

function lineageOf(options: RegisterOptions): registryV1.Lineage | null {
  const flags = [options.trainingJob, options.datasetSnapshot, options.datasetDigest, options.codeVersion, options.featureSet?.length ? 'x' : undefined];
  const flagged = flags.some((value) => value !== undefined);
  if (options.lineage !== undefined) {
    if (flagged) throw new UsageError('--lineage cannot be combined with --training-job, --dataset-snapshot, --dataset-digest, --feature-set or --code-version');
    return lineageFromObject(readJsonObject(options.lineage, '--lineage'), '--lineage');
  }
  if (!flagged) return null;
  if (options.datasetDigest !== undefined && !/^sha256:[0-9a-f]{64}$/.test(options.datasetDigest)) {
    throw new UsageError(`--dataset-digest: expected sha256:<64 lowercase hex>, got "${options.datasetDigest}"`);
  }
  return {
    trainingJobId: options.trainingJob ?? '',
    datasetSnapshotId: options.datasetSnapshot ?? '',
    datasetSnapshotDigest: options.datasetDigest ?? '',
    featureContracts: (options.featureSet ?? []).map((text) => parseFeatureContract(text)),
    codeVersion: options.codeVersion ?? '',
  };
}

/** `--input-binding input=fs.a,fs.b,request_feature` -> InputBinding. */
export function parseInputBinding(text: string): registryV1.InputBinding {
  const [input, features] = parseKeyValue(text, '--input-binding');
  const list = features.split(',').map((f) => f.trim());
  if (list.some((f) => f === '')) throw new UsageError(`--input-binding: expected input=feature,feature,..., got "${text}"`);
  return { input, features: list };
}

/** The RegisterVersion header for `model` and a file of the given digest, from the command's options. */
export function registerHeader(model: string, digest: { sha256: string; sizeBytes: number }, options: RegisterOptions): registryV1.RegisterVersionHeader {
  return {
    modelName: model,
    format: 'ARTIFACT_FORMAT_ONNX' as registryV1.ArtifactFormat,
    sha256: digest.sha256,
    sizeBytes: String(digest.sizeBytes),
    metrics: options.metrics === undefined ? {} : metricsFromObject(readJsonObject(options.metrics, '--metrics'), '--metrics'),
    params: options.params === undefined ? {} : paramsFromObject(readJsonObject(options.params, '--params')),
    lineage: lineageOf(options),
    tags: parseTags(options.tag),
    declaredSignature: null,
    inputBindings: (options.inputBinding ?? []).map(parseInputBinding),
    description: options.description ?? '',
  };
}

async function register(ctx: CommandContext, model: string, file: string, options: RegisterOptions): Promise<void> {
  const total = fileSize(file);
  const showProgress = options.progress !== false;
  // Validate every flag and file before reading a possibly large artifact.
  registerHeader(model, { sha256: '0'.repeat(64), sizeBytes: total }, options);
  const digest = await digestFile(file, createProgress(ctx.io.stderr, `hashing ${path.basename(file)}`, total, showProgress));
  const header = registerHeader(model, digest, options);
  const upload = createProgress(ctx.io.stderr, `uploading ${path.basename(file)}`, total, showProgress);
  let response: registryV1.RegisterVersionResponse;
  try {
    response = await ctx.registry.registerVersion(header, fileChunks(file, upload));
  } finally {
    // Ends the progress line (also on failure, so an error starts on a line of its own).
    upload.done();
  }
  const version = present(response.version, 'version');
  ctx.print(response, () => {
    const verdict = response.alreadyExisted
      ? `already registered: ${model} version ${version.version} has the same sha256 (metadata of this call ignored)`
      : `registered ${model} version ${version.version}`;
    return `${verdict}\n${renderVersion(version)}`;
  });
}

export function addRegisterCommand(versions: Command, deps: CliDeps): void {
  versions
    .command('register')
    .description('upload an ONNX file as a new immutable version (idempotent by sha256)')
    .argument('<model>', 'model name (create it first with `strata models create`)')
    .argument('<file>', 'the .onnx file')
    .option('--metrics <file.json>', 'metrics recorded with the version, e.g. {"auc": 0.81}')
    .option('--params <file.json>', 'training parameters, e.g. {"lr": 0.01}')
    .option('--lineage <file.json>', 'lineage: {"trainingJobId", "datasetSnapshotDigest", "featureContracts", "codeVersion"}')
    .option('--training-job <id>', 'lineage: training job ID')
    .option('--dataset-snapshot <id>', 'lineage: dataset snapshot ID')
    .option('--dataset-digest <sha256:hex>', 'lineage: dataset snapshot digest')
    .option('--feature-set <name@version[=sha256:hex]>', 'lineage: a feature contract the model needs (repeatable)', collect)
    .option('--code-version <rev>', 'lineage: version of the training code, e.g. a git commit')
    .option('--input-binding <input=feature,...>', 'how a model input is assembled from features (repeatable)', collect)
    .option('--tag <key=value>', 'a tag (repeatable)', collect)
    .option('--description <text>', 'what changed in this version')
    .option('--no-progress', 'no progress line on stderr for large files')
    .addHelpText('after', '\nThe sha256 and size are computed locally and sent first; the file follows in 1 MiB chunks.\nRegistering the same bytes again returns the existing version (alreadyExisted: true).')
    .action((model: string, file: string, options: RegisterOptions, command: Command) => withContext(deps, command, (ctx) => register(ctx, model, file, options)));
}
