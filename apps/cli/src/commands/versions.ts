import type { registryV1 } from '@strata/contracts';
import type { Command } from 'commander';
import path from 'node:path';
import { parseInteger, parseModelRef, parseVersion } from '../args';
import { saveVerifiedDownload } from '../artifact-io';
import { type CliDeps, withContext } from '../context';
import { present, UsageError } from '../errors';
import { renderVersion, renderVersionTable } from '../output/model-views';
import { formatBytes, formatTime, renderFields } from '../output/table';
import { createProgress } from '../progress';
import { PAGE_SIZE } from '../registry-client';
import { addRegisterCommand } from './register';

const STATUSES = ['active', 'deprecated', 'archived'] as const;

/** `active` -> `VERSION_STATUS_ACTIVE`. */
export function parseVersionStatus(text: string): registryV1.VersionStatus {
  const name = text.trim().toLowerCase();
  if (!(STATUSES as readonly string[]).includes(name)) throw new UsageError(`status: expected one of ${STATUSES.join(', ')}, got "${text}"`);
  return `VERSION_STATUS_${name.toUpperCase()}` as registryV1.VersionStatus;
}

/** Reads every page of ListVersions (up to `limit` versions), newest first. */
async function listAllVersions(
  list: (request: registryV1.ListVersionsRequest) => Promise<registryV1.ListVersionsResponse>,
  request: Omit<registryV1.ListVersionsRequest, 'page'>,
  limit: number,
): Promise<registryV1.ModelVersion[]> {
  const versions: registryV1.ModelVersion[] = [];
  let pageToken = '';
  do {
    const response = await list({ ...request, page: { pageSize: Math.min(PAGE_SIZE, limit - versions.length), pageToken } });
    versions.push(...response.versions);
    pageToken = response.page?.nextPageToken ?? '';
  } while (pageToken !== '' && versions.length < limit);
  return versions.slice(0, limit);
}

export function registerVersionCommands(program: Command, deps: CliDeps): void {
  const versions = program.command('versions').description('model versions: register, list, get, download, status, approve');

  addRegisterCommand(versions, deps);

  versions
    .command('list')
    .description('list the versions of a model, newest first')
    .argument('<model>', 'model name')
    .option('--status <status>', 'only versions in this status: active, deprecated or archived')
    .option('--limit <n>', 'at most this many versions (default: all)')
    .action((model: string, options: { status?: string; limit?: string }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const status = options.status === undefined ? ('VERSION_STATUS_UNSPECIFIED' as registryV1.VersionStatus) : parseVersionStatus(options.status);
        const limit = options.limit === undefined ? Infinity : parseInteger(options.limit, '--limit', 1);
        const list = await listAllVersions((request) => ctx.registry.listVersions(request), { modelName: model, status }, limit);
        ctx.print({ versions: list }, () => renderVersionTable(list));
      }),
    );

  versions
    .command('get')
    .description('show one version: artifact, signature, metrics, lineage, aliases and evidence')
    .argument('<model>', 'model name')
    .argument('<version>', 'a version number or @alias, e.g. 3 or @production')
    .action((model: string, ref: string, _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.getVersion({ model: parseModelRef(model, ref) });
        ctx.print(response, () => renderVersion(present(response.version, 'version')));
      }),
    );

  versions
    .command('download')
    .description("download a version's ONNX file, verifying its sha256 and size")
    .argument('<model>', 'model name')
    .argument('<version>', 'a version number or @alias')
    .requiredOption('-o, --output <file>', 'where to write the file (replaced only after verification)')
    .option('--no-progress', 'no progress line on stderr for large files')
    .action((model: string, ref: string, options: { output: string; progress: boolean }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const stream = ctx.registry.downloadArtifact({ model: parseModelRef(model, ref), offset: '0' });
        const header = await saveVerifiedDownload(stream, options.output, (total) =>
          createProgress(ctx.io.stderr, `downloading ${path.basename(options.output)}`, total, options.progress),
        );
        const result = { modelName: header.modelName, version: header.version, artifact: header.artifact, file: path.resolve(options.output) };
        ctx.print(result, () => `downloaded ${header.modelName} version ${header.version} to ${options.output} (${formatBytes(header.artifact?.sizeBytes ?? 0)}, sha256 ${header.artifact?.sha256 ?? ''} verified)\n`);
      }),
    );

  versions
    .command('status')
    .description("change a version's lifecycle status (admin): active <-> deprecated, either -> archived (final)")
    .argument('<model>', 'model name')
    .argument('<version>', 'version number')
    .argument('<status>', 'active, deprecated or archived')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .action((model: string, version: string, status: string, options: { reason: string }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const request = { modelName: model, version: parseVersion(version), status: parseVersionStatus(status), reason: options.reason };
        const response = await ctx.registry.setVersionStatus(request);
        ctx.print(response, () => `${response.revision === '0' ? 'unchanged' : `changed at revision ${response.revision}`}\n${renderVersion(present(response.version, 'version'))}`);
      }),
    );

  versions
    .command('approve')
    .description('record your approval of a version for an alias (admin); gates may require approvals')
    .argument('<model>', 'model name')
    .argument('<version>', 'version number')
    .requiredOption('--alias <alias>', 'the alias the approval is for, e.g. production')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .action((model: string, version: string, options: { alias: string; reason: string }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.registry.approveVersion({ modelName: model, version: parseVersion(version), alias: options.alias, reason: options.reason });
        const approval = present(response.approval, 'approval');
        ctx.print(response, () =>
          renderFields([
            ['approval', response.alreadyExisted ? 'already recorded (unchanged)' : 'recorded'],
            ['model', approval.modelName],
            ['version', String(approval.version)],
            ['alias', approval.alias],
            ['approved', `${formatTime(approval.approvedAt)} by ${approval.approvedBy}`],
            ['reason', approval.reason],
          ]),
        );
      }),
    );
}
