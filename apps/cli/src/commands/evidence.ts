import type { registryV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { collect, parseModelRef, parseVersion } from '../args';
import { type CliDeps, withContext } from '../context';
import { present, UsageError } from '../errors';
import { metricsFromObject, readJsonObject } from '../input-files';
import { renderEvidence, renderEvidenceTable } from '../output/model-views';

/** Options of `evidence add`. */
export interface EvidenceOptions {
  metrics?: string;
  passed?: boolean;
  failed?: string | boolean;
  test?: string[];
  sourceUri?: string;
  attach?: string[];
}

const MEDIA_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.json': 'application/json',
  '.md': 'text/markdown',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
};

/** `name=pass`, `name=fail` or `name=fail:message` -> TestResult. */
export function parseTestResult(text: string): registryV1.TestResult {
  const match = /^([^=]+)=(pass|passed|fail|failed)(?::(.*))?$/.exec(text);
  if (match === null) throw new UsageError(`--test: expected name=pass or name=fail[:message], got "${text}"`);
  const [, name = '', outcome = '', message = ''] = match;
  return { name, passed: outcome.startsWith('pass'), message };
}

/** `report.html` or `report.html=text/html` -> an Attachment read from disk. */
function readAttachment(text: string): registryV1.Attachment {
  const at = text.lastIndexOf('=');
  const file = at > 0 && text.slice(at + 1).includes('/') ? text.slice(0, at) : text;
  const mediaType = file === text ? (MEDIA_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream') : text.slice(at + 1);
  try {
    return { name: path.basename(file), mediaType, content: readFileSync(file) };
  } catch (error) {
    throw new UsageError(`--attach: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** `evidence add` arguments -> AddEvidenceRequest. `--passed`/`--failed` record one test named like the evidence. */
export function addEvidenceRequest(model: string, version: string, name: string, options: EvidenceOptions): registryV1.AddEvidenceRequest {
  if (options.passed === true && options.failed !== undefined) throw new UsageError('--passed and --failed exclude each other');
  const testResults = (options.test ?? []).map(parseTestResult);
  if (options.passed === true) testResults.push({ name, passed: true, message: '' });
  if (options.failed !== undefined) testResults.push({ name, passed: false, message: typeof options.failed === 'string' ? options.failed : '' });
  return {
    modelName: model,
    version: parseVersion(version),
    name,
    metrics: options.metrics === undefined ? {} : metricsFromObject(readJsonObject(options.metrics, '--metrics'), '--metrics'),
    testResults,
    attachments: (options.attach ?? []).map(readAttachment),
    sourceUri: options.sourceUri ?? '',
  };
}

export function registerEvidenceCommands(program: Command, deps: CliDeps): void {
  const evidence = program.command('evidence').description('evaluation evidence on versions (gates can require it by name)');

  evidence
    .command('add')
    .description('attach named, immutable evidence to a version (an identical re-send returns it)')
    .argument('<model>', 'model name')
    .argument('<version>', 'version number')
    .argument('<name>', 'evidence name, e.g. offline-eval or bias-check')
    .option('--metrics <file.json>', 'metrics of this evaluation, e.g. {"auc": 0.82}')
    .option('--passed', 'the evaluation passed (records a passing test named like the evidence)')
    .option('--failed [message]', 'the evaluation failed (records a failing test named like the evidence)')
    .option('--test <name=pass|fail[:message]>', 'a named test result (repeatable)', collect)
    .option('--attach <file[=media/type]>', 'attach a small file, <= 1 MiB, e.g. a report (repeatable)', collect)
    .option('--source-uri <uri>', 'where it was produced, e.g. the CI run URL')
    .action((model: string, version: string, name: string, options: EvidenceOptions, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.addEvidence(addEvidenceRequest(model, version, name, options));
        ctx.print(response, () => renderEvidence(present(response.evidence, 'evidence')));
      }),
    );

  evidence
    .command('list')
    .description('list the evidence of a version')
    .argument('<model>', 'model name')
    .argument('<version>', 'a version number or @alias')
    .action((model: string, ref: string, _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.getVersion({ model: parseModelRef(model, ref) });
        const list = response.version?.evidence ?? [];
        ctx.print({ evidence: list }, () => renderEvidenceTable(list));
      }),
    );
}
