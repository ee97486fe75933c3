// `strata import`, `strata materialize` and `strata jobs`: the feature service's asynchronous
// jobs (ImportFile, Materialize, GetJob, ListJobs, CancelJob), and waiting for one with a
// progress line on stderr and a summary on stdout.
import type { featuresV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { collect, parseTags } from '../args';
import { type CliDeps, type CliIo, type CommandContext, parseDurationMs, withContext } from '../context';
import { CliFailure } from '../errors';
import { ExitCode } from '../exit-codes';
import { answered, type FeatureApi, readPages } from '../feature-client';
import { featureJson, formatJobKind, jobSubject, renderJob, renderJobProgress, renderJobSummary, renderJobTable } from '../output/feature-views';
import { parseFeatureSetRef, parseFileFormat, parseInstant, parseJobKind, parseJobStatus, parseLimit } from './feature-args';

/** Statuses after which a job never changes again. */
const TERMINAL = new Set(['JOB_STATUS_SUCCEEDED', 'JOB_STATUS_FAILED', 'JOB_STATUS_CANCELLED']);
/** How often a non-terminal progress line is written to a log (not a terminal), besides status changes. */
const LOG_PROGRESS_EVERY_MS = 10_000;
/** Quarantine rows read to count an import's rejections by reason. */
const REASON_SAMPLE_ROWS = 5_000;

/** Is `job` finished (succeeded, failed or cancelled)? */
export const isTerminal = (job: featuresV1.Job): boolean => TERMINAL.has(job.status);

/** How to wait for a job. */
export interface WaitSettings {
  /** Pause between two GetJob calls. */
  readonly pollMs: number;
  /** Whether to show the progress line on stderr. */
  readonly progress: boolean;
  readonly now?: () => number;
}

/** Options shared by the commands that start a job. */
export interface JobStartOptions {
  wait?: boolean;
  progress?: boolean;
  pollInterval?: string;
}

function elapsedSeconds(job: featuresV1.Job, now: number): number | undefined {
  if (job.startedAt === null || job.startedAt === undefined) return undefined;
  const started = Number(job.startedAt.seconds) * 1000 + job.startedAt.nanos / 1e6;
  const end = job.finishedAt === null || job.finishedAt === undefined ? now : Number(job.finishedAt.seconds) * 1000 + job.finishedAt.nanos / 1e6;
  return Math.max(0, (end - started) / 1000);
}

/**
 * Polls GetJob until `job` is finished and returns its last state. Progress goes to stderr:
 * redrawn in place on a terminal, otherwise one line per status change and every 10 s. An
 * interrupt (Ctrl-C) stops waiting — the job itself keeps running — with exit code 1.
 */
export async function waitForJob(api: Pick<FeatureApi, 'getJob'>, io: Pick<CliIo, 'stderr' | 'onInterrupt'>, started: featuresV1.Job, settings: WaitSettings): Promise<featuresV1.Job> {
  const now = settings.now ?? Date.now;
  const tty = io.stderr.isTTY === true;
  const interrupted = new AbortController();
  const release = io.onInterrupt(() => interrupted.abort());
  let job = started;
  let lastStatus = '';
  let lastLogged = 0;
  let drawn = false;
  const show = (): void => {
    if (!settings.progress) return;
    const line = renderJobProgress(job, elapsedSeconds(job, now()));
    if (tty) {
      io.stderr.write(`\r${line}\u001b[K`);
      drawn = true;
    } else if (job.status !== lastStatus || now() - lastLogged >= LOG_PROGRESS_EVERY_MS) {
      io.stderr.write(`${line}\n`);
      lastLogged = now();
    }
    lastStatus = job.status;
  };
  try {
    show();
    while (!isTerminal(job)) {
      try {
        await sleep(settings.pollMs, undefined, { signal: interrupted.signal });
      } catch {
        throw new CliFailure(`stopped waiting; ${formatJobKind(job.kind)} job ${job.id} keeps running on feature-service (strata jobs get ${job.id}; strata jobs cancel ${job.id})`, ExitCode.Failure);
      }
      job = answered((await api.getJob({ id: job.id })).job, 'job');
      show();
    }
    return job;
  } finally {
    release();
    if (drawn) io.stderr.write('\n');
  }
}

/**
 * Rejected rows of an import job counted by reason, from the quarantine entries it created
 * (undefined for other kinds, without rejections, or when the quarantine cannot be read).
 * Replays are left out: their rows keep the job that first quarantined them.
 */
export async function rejectionsByReason(api: Pick<FeatureApi, 'listQuarantine'>, job: featuresV1.Job): Promise<{ counts: Record<string, number>; complete: boolean } | undefined> {
  const rejected = Number(job.counters?.rowsRejected ?? 0);
  if (rejected === 0 || job.kind !== 'JOB_KIND_IMPORT') return undefined;
  try {
    const rows = await readPages(async (page) => {
      const response = await api.listQuarantine({ page, source: '', reason: 'REJECTION_REASON_UNSPECIFIED' as featuresV1.RejectionReason, jobId: job.id });
      return { items: response.rows, nextPageToken: response.page?.nextPageToken ?? '' };
    }, REASON_SAMPLE_ROWS);
    const counts: Record<string, number> = {};
    for (const row of rows) {
      const reason = row.rejection?.reason ?? 'REJECTION_REASON_UNSPECIFIED';
      counts[reason] = (counts[reason] ?? 0) + 1;
    }
    return { counts, complete: rows.length >= rejected };
  } catch {
    // The summary is still useful without the breakdown (e.g. an older feature-service).
    return undefined;
  }
}

/**
 * After a command started (or found) `job`: with --no-wait prints it and returns; otherwise
 * waits for it, prints the summary (the job on stdout with --json) and fails with exit code 1
 * when the job FAILED or was CANCELLED.
 */
export async function followJob(ctx: CommandContext, started: featuresV1.Job, options: JobStartOptions): Promise<void> {
  if (options.wait === false) {
    ctx.print(featureJson({ job: started }), () => `started ${formatJobKind(started.kind)} job ${started.id}: ${jobSubject(started)}\n  follow it with: strata jobs get ${started.id} --wait\n`);
    return;
  }
  const pollMs = options.pollInterval === undefined ? 1_000 : parseDurationMs(options.pollInterval, '--poll-interval');
  const job = await waitForJob(ctx.features, ctx.io, started, { pollMs, progress: options.progress !== false && !ctx.options.json });
  const reasons = await rejectionsByReason(ctx.features, job);
  ctx.print(featureJson({ job }), () => renderJobSummary(job, reasons));
  if (job.status === 'JOB_STATUS_FAILED') throw new CliFailure(`${formatJobKind(job.kind)} job ${job.id} failed: ${job.errorMessage || 'no error message'}`, ExitCode.Failure);
  if (job.status === 'JOB_STATUS_CANCELLED') throw new CliFailure(`${formatJobKind(job.kind)} job ${job.id} was cancelled`, ExitCode.Failure);
}

/** Adds the waiting options every job-starting command has. */
export function withWaitOptions(command: Command): Command {
  return command
    .option('--no-wait', 'only start the job and print it; do not wait for it to finish')
    .option('--no-progress', 'no progress line on stderr while waiting')
    .option('--poll-interval <duration>', 'how often to ask for the job state while waiting (default 1s)');
}

/** Options of `strata import`. */
export interface ImportOptions extends JobStartOptions {
  format?: string;
  map?: string[];
  key?: string;
}

/** `strata import` arguments -> ImportFileRequest. */
export function importFileRequest(source: string, file: string, options: ImportOptions): featuresV1.ImportFileRequest {
  return { source, path: file, format: parseFileFormat(file, options.format), fieldMapping: parseTags(options.map, '--map'), idempotencyKey: options.key ?? '' };
}

/** Options of `strata materialize`. */
export interface MaterializeOptions extends JobStartOptions {
  start?: string;
  end?: string;
  offlineOnly?: boolean;
}

/** `strata materialize` arguments -> MaterializeRequest. */
export function materializeRequest(featureSet: string, options: MaterializeOptions): featuresV1.MaterializeRequest {
  return {
    featureSet: parseFeatureSetRef(featureSet, false),
    start: options.start === undefined ? null : parseInstant(options.start, '--start'),
    end: options.end === undefined ? null : parseInstant(options.end, '--end'),
    offlineOnly: options.offlineOnly === true,
  };
}

/** Options of `jobs list`. */
export interface JobListOptions {
  kind?: string;
  status?: string;
  source?: string;
  featureSet?: string;
  limit?: string;
}

/** `jobs list` options -> ListJobsRequest (without paging). */
export function listJobsRequest(options: JobListOptions): Omit<featuresV1.ListJobsRequest, 'page'> {
  return { kind: parseJobKind(options.kind), status: parseJobStatus(options.status), source: options.source ?? '', featureSetName: options.featureSet ?? '' };
}

export function registerImportCommand(program: Command, deps: CliDeps): void {
  withWaitOptions(
    program
      .command('import')
      .description('import a file of events into a source (rows validated; rejected rows quarantined), then wait for the job')
      .argument('<source>', 'source name')
      .argument('<path>', "file path, resolved by feature-service relative to its IMPORT_ROOT (not the CLI's working directory)")
      .option('--format <format>', 'csv, json, ndjson or parquet (default: from the file extension)')
      .option('--map <column=field>', 'rename a file column to a source field (repeatable)', collect)
      .option('--key <idempotency-key>', 'a second import with the same key returns the first job instead of importing again'),
  )
    .addHelpText('after', '\nWhile waiting, stderr shows rows read/total, accepted and rejected; stdout gets the summary.\nExit code 1 when the job fails or is cancelled.')
    .action((source: string, file: string, options: ImportOptions, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const request = importFileRequest(source, file, options);
        const response = await ctx.features.importFile(request);
        await followJob(ctx, answered(response.job, 'job'), options);
      }),
    );
}

export function registerMaterializeCommand(program: Command, deps: CliDeps): void {
  withWaitOptions(
    program
      .command('materialize')
      .description('compute a feature set over an event-time range into the offline and online stores (backfill = the same call), then wait for the job')
      .argument('<feature_set:version>', 'feature set version, e.g. airport_delay_stats:1')
      .option('--start <time>', 'inclusive start of the event-time range, ISO (default: the earliest event)')
      .option('--end <time>', 'exclusive end of the event-time range, ISO (default: now)')
      .option('--offline-only', 'write offline values only; leave the online store unchanged (old backfills)'),
  )
    .addHelpText('after', '\nTimes without a zone are UTC. Exit code 1 when the job fails or is cancelled.')
    .action((featureSet: string, options: MaterializeOptions, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.features.materialize(materializeRequest(featureSet, options));
        await followJob(ctx, answered(response.job, 'job'), options);
      }),
    );
}

export function registerJobCommands(program: Command, deps: CliDeps): void {
  const jobs = program.command('jobs').description('feature-service jobs (imports, materializations, quarantine replays): get, list, cancel');

  jobs
    .command('get')
    .description('show a job; with --wait, follow it until it finishes')
    .argument('<id>', 'job ID')
    .option('--wait', 'wait for the job to finish (progress on stderr, summary on stdout, exit 1 if it fails)')
    .option('--no-progress', 'no progress line on stderr while waiting')
    .option('--poll-interval <duration>', 'how often to ask for the job state while waiting (default 1s)')
    .action((id: string, options: JobStartOptions, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const job = answered((await ctx.features.getJob({ id })).job, 'job');
        if (options.wait === true) await followJob(ctx, job, options);
        else ctx.print(featureJson({ job }), () => renderJob(job));
      }),
    );

  jobs
    .command('list')
    .description('list jobs, newest first')
    .option('--kind <kind>', 'import, materialize or replay')
    .option('--status <status>', 'pending, running, succeeded, failed or cancelled')
    .option('--source <name>', 'only import and replay jobs of this source')
    .option('--feature-set <name>', 'only materializations of this feature set')
    .option('--limit <n>', 'at most this many jobs (default 50)')
    .action((options: JobListOptions, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const request = listJobsRequest(options);
        const list = await readPages(async (page) => {
          const response = await ctx.features.listJobs({ ...request, page });
          return { items: response.jobs, nextPageToken: response.page?.nextPageToken ?? '' };
        }, parseLimit(options.limit, 50));
        ctx.print(featureJson({ jobs: list }), () => renderJobTable(list));
      }),
    );

  jobs
    .command('cancel')
    .description('request cancellation of a pending or running job (it stops asynchronously)')
    .argument('<id>', 'job ID')
    .action((id: string, _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.features.cancelJob({ id });
        const job = answered(response.job, 'job');
        ctx.print(featureJson(response), () => `cancellation requested\n${renderJob(job)}`);
      }),
    );
}
