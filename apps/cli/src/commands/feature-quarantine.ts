// `strata quarantine`: rows an ingestion rejected (ListQuarantine) and their replay after
// the schema or the data was fixed (ReplayQuarantine, a job).
import type { featuresV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { collect } from '../args';
import { type CliDeps, withContext } from '../context';
import { answered, readPages } from '../feature-client';
import { featureJson, renderQuarantineTable } from '../output/feature-views';
import { parseLimit, parseRejectionReason } from './feature-args';
import { followJob, type JobStartOptions, withWaitOptions } from './feature-jobs';

/** Options of `quarantine list`. */
export interface QuarantineListOptions {
  source?: string;
  reason?: string;
  job?: string;
  limit?: string;
}

/** `quarantine list` options -> ListQuarantineRequest (without paging). */
export function listQuarantineRequest(options: QuarantineListOptions): Omit<featuresV1.ListQuarantineRequest, 'page'> {
  return { source: options.source ?? '', reason: parseRejectionReason(options.reason), jobId: options.job ?? '' };
}

/** Options of `quarantine replay`. */
export interface ReplayOptions extends JobStartOptions {
  reason?: string;
  row?: string[];
}

/** `quarantine replay` arguments -> ReplayQuarantineRequest. */
export function replayQuarantineRequest(source: string, options: ReplayOptions): featuresV1.ReplayQuarantineRequest {
  return { source, rowIds: options.row ?? [], reason: parseRejectionReason(options.reason) };
}

const REASONS_HELP = 'missing-field, type-mismatch, out-of-range, not-allowed-value, too-long, unknown-field or parse-error';

export function registerQuarantineCommands(program: Command, deps: CliDeps): void {
  const quarantine = program.command('quarantine').description('rejected rows kept with their reason: list, replay');

  quarantine
    .command('list')
    .description('list quarantined rows, newest first')
    .option('--source <name>', 'only rows of this source')
    .option('--reason <reason>', `only rows rejected for this reason: ${REASONS_HELP}`)
    .option('--job <id>', 'only rows quarantined by this import or replay job')
    .option('--limit <n>', 'at most this many rows (default 50)')
    .action((options: QuarantineListOptions, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const request = listQuarantineRequest(options);
        const rows = await readPages(async (page) => {
          const response = await ctx.features.listQuarantine({ ...request, page });
          return { items: response.rows, nextPageToken: response.page?.nextPageToken ?? '' };
        }, parseLimit(options.limit, 50));
        ctx.print(featureJson({ rows }), () => renderQuarantineTable(rows));
      }),
    );

  withWaitOptions(
    quarantine
      .command('replay')
      .description("re-validate quarantined rows against the source's current version; rows that pass are ingested")
      .argument('<source>', 'source name')
      .option('--reason <reason>', `only rows rejected for this reason: ${REASONS_HELP}`)
      .option('--row <id>', 'only this quarantine entry (repeatable)', collect),
  ).action((source: string, options: ReplayOptions, command: Command) =>
    withContext(deps, command, async (ctx) => {
      const response = await ctx.features.replayQuarantine(replayQuarantineRequest(source, options));
      await followJob(ctx, answered(response.job, 'job'), options);
    }),
  );
}
