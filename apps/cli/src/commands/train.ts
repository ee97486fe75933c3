// `strata train`: training jobs on training-runner (strata.training.v1) — submit a JobSpec
// file, get, list, cancel, and watch one: status changes, iterations and log lines on stderr,
// the finished job on stdout.
import { status } from '@grpc/grpc-js';
import type { trainingV1 } from '@strata/contracts';
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseInteger } from '../args';
import { type CliDeps, type CommandContext, withContext } from '../context';
import { CliFailure, isServiceError, UsageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { readPages } from '../feature-client';
import { renderJson } from '../output/json';
import { formatStatus, JobProgressPrinter, renderTrainingJob, renderTrainingJobTable, shortId, TERMINAL, trainingJson } from '../output/training-views';
import { readJobSpecFile, trained } from '../training-client';
import { parseLimit } from './feature-args';

const STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED'];
/** Consecutive reconnects of a dropped WatchJob stream (backoff 0.5 s doubling) before giving up. */
const MAX_RECONNECTS = 5;

// ---------------------------------------------------------------------------------------
// Watching
// ---------------------------------------------------------------------------------------

/** What to do with a job's stream. */
interface WatchPlan {
  readonly id: string;
  /** Replay retained events after this sequence (0 = the current status, then live events). */
  readonly afterSequence: number;
  readonly includeLogs: boolean;
  /** Called with each event; `header` marks the status snapshot that opens a replay (`afterSequence` > 0). */
  readonly onEvent: (event: trainingV1.JobEvent, header: boolean) => void;
}

/**
 * Follows WatchJob until the job is finished and returns it (as GetJob has it then). A dropped
 * stream is resumed after the last event seen; Ctrl-C stops watching (the job keeps running).
 */
export async function watchTrainingJob(ctx: CommandContext, plan: WatchPlan): Promise<trainingV1.Job> {
  const interrupted = new AbortController();
  const release = ctx.io.onInterrupt(() => interrupted.abort());
  let cursor = plan.afterSequence;
  let finished = false;
  let failures = 0;
  let connections = 0;
  try {
    while (!finished) {
      let opening = true;
      const resumed = connections > 0;
      connections += 1;
      try {
        for await (const message of ctx.training.watchJob({ id: plan.id, afterSequence: String(cursor), includeLogs: plan.includeLogs }, interrupted.signal)) {
          const event = message.event;
          if (event == null) continue;
          // The first message is the current status; after a cursor, the transitions since follow it.
          // On a resumed stream it is no news: the transitions missed are replayed.
          if (!(opening && resumed)) plan.onEvent(event, opening && cursor > 0);
          opening = false;
          failures = 0;
          cursor = Math.max(cursor, Number(event.sequence));
          if (event.statusChanged != null && TERMINAL.has(event.statusChanged.status)) finished = true;
        }
        if (!finished) throw Object.assign(new Error('the stream ended before the job finished'), { code: status.UNAVAILABLE });
      } catch (error) {
        if (interrupted.signal.aborted) {
          throw new CliFailure(`stopped watching; training job ${plan.id} keeps running (strata train get ${plan.id}; strata train cancel ${plan.id})`, ExitCode.Failure);
        }
        const code = (error as { code?: unknown }).code;
        if (!(code === status.UNAVAILABLE || (isServiceError(error) && code === status.CANCELLED)) || failures >= MAX_RECONNECTS) throw error;
        const backoffMs = 500 * 2 ** failures;
        failures += 1;
        ctx.io.stderr.write(`strata: watching training job ${plan.id}: ${(error as Error).message}; reconnecting in ${(backoffMs / 1000).toFixed(1)}s\n`);
        await sleep(backoffMs, undefined, { signal: interrupted.signal }).catch(() => undefined);
      }
    }
  } finally {
    release();
  }
  return trained((await ctx.training.getJob({ id: plan.id })).job, 'job');
}

/** Prints a finished job (stdout) and fails with exit code 1 when it FAILED or was CANCELLED. */
function concludeJob(job: trainingV1.Job): void {
  if (job.status === 'JOB_STATUS_FAILED') {
    const reason = job.error == null ? 'no error recorded' : `${job.error.code}: ${job.error.message}`;
    throw new CliFailure(`training job ${job.id} failed: ${reason}`, ExitCode.Failure);
  }
  if (job.status === 'JOB_STATUS_CANCELLED') throw new CliFailure(`training job ${job.id} was cancelled`, ExitCode.Failure);
}

/** Streams a job for a person (stderr) and returns it finished. */
async function watchWithProgress(ctx: CommandContext, id: string, afterSequence: number, includeLogs: boolean): Promise<trainingV1.Job> {
  const printer = ctx.options.json ? undefined : new JobProgressPrinter(ctx.io.stderr);
  try {
    return await watchTrainingJob(ctx, {
      id,
      afterSequence,
      includeLogs,
      onEvent: (event, header) => {
        if (header || printer === undefined) return;
        if (event.statusChanged != null) printer.status(event.statusChanged.status, event.statusChanged.job);
        else if (event.progress != null) printer.progress(event.progress);
        else if (event.log != null) printer.log(event.log);
      },
    });
  } finally {
    printer?.done();
  }
}

// ---------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------

/** `--status queued|running|...` -> JobStatus; unset = any status. */
export function parseTrainingStatus(text: string | undefined): trainingV1.JobStatus {
  if (text === undefined) return 'JOB_STATUS_UNSPECIFIED' as trainingV1.JobStatus;
  const name = text.trim().toUpperCase().replace(/^JOB_STATUS_/, '');
  if (!STATUSES.includes(name)) throw new UsageError(`--status: expected one of ${STATUSES.map((s) => s.toLowerCase()).join(', ')}, got "${text}"`);
  return `JOB_STATUS_${name}` as trainingV1.JobStatus;
}

interface SubmitOptions {
  idempotencyKey?: string;
  watch?: boolean;
  logs?: boolean;
}

const WATCH_HELP = `
While watching, stderr shows one line per status change, iteration lines (iteration/total, loss,
validation loss; throttled) and, with --logs, the job's log lines; stdout gets the finished job.
Exit code 1 when the job FAILED or was CANCELLED; Ctrl-C stops watching (the job keeps running).`;

export function registerTrainCommands(program: Command, deps: CliDeps): void {
  const train = program.command('train').description('training jobs on training-runner: submit, get, list, cancel, watch');

  train
    .command('submit')
    .description('queue a training job from a JobSpec file; with --watch, follow it until it finishes')
    .argument('<spec.json>', 'a strata.training.v1.JobSpec in proto3 JSON (or {"spec": ..., "idempotencyKey": ...})')
    .option('--idempotency-key <key>', 'a second submit with the same key and spec returns the first job (1-128 characters)')
    .option('--watch', 'stream the job until it finishes (progress on stderr, the job on stdout)')
    .option('--logs', "with --watch, also print the job's log lines")
    .addHelpText('after', `\nTimestamps may be RFC 3339 text ("2001-03-15T00:00:00Z") or {"seconds": "..."}; enums their\nfull name (TRAINER_GBDT) or the short one ("gbdt").\n${WATCH_HELP}`)
    .action((file: string, options: SubmitOptions, command: Command) =>
      withContext(deps, command, async (ctx) => {
        if (options.logs === true && options.watch !== true) throw new UsageError('--logs needs --watch');
        const read = readJobSpecFile(file, 'train submit');
        const response = await ctx.training.submitJob({ spec: read.spec, idempotencyKey: options.idempotencyKey ?? read.idempotencyKey ?? '' });
        const job = trained(response.job, 'job');
        if (options.watch !== true) {
          ctx.print(trainingJson(response), () => {
            const verdict = response.created ? 'submitted' : 'exists already (same idempotency key and spec):';
            return `${verdict} training job ${job.id} (${formatStatus(job.status)})\n  follow it with: strata train watch ${job.id}\n`;
          });
          return;
        }
        ctx.note(`${response.created ? 'submitted' : 'exists already (same idempotency key and spec):'} training job ${job.id}`);
        // A new job's first event (sequence 1) is its QUEUED status: replaying after it misses nothing.
        if (response.created) ctx.note(`training job ${shortId(job.id)} ${formatStatus(job.status)}`);
        const finished = await watchWithProgress(ctx, job.id, response.created ? 1 : 0, options.logs === true);
        ctx.print(trainingJson({ job: finished, created: response.created }), () => renderTrainingJob(finished));
        concludeJob(finished);
      }),
    );

  train
    .command('get')
    .description('show a training job: status, dataset, params, metrics, artifact, registration, error')
    .argument('<id>', 'job ID')
    .action((id: string, _options: object, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.training.getJob({ id });
        ctx.print(trainingJson(response), () => renderTrainingJob(trained(response.job, 'job')));
      }),
    );

  train
    .command('list')
    .description('list training jobs, newest first')
    .option('--status <status>', 'queued, running, succeeded, failed, cancelling or cancelled')
    .option('--model <name>', 'only jobs of this registry model')
    .option('--limit <n>', 'at most this many jobs (default 50)')
    .action((options: { status?: string; model?: string; limit?: string }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const request = { status: parseTrainingStatus(options.status), modelName: options.model ?? '' };
        const jobs = await readPages(async (page) => {
          const response = await ctx.training.listJobs({ ...request, page });
          return { items: response.jobs, nextPageToken: response.page?.nextPageToken ?? '' };
        }, parseLimit(options.limit, 50));
        ctx.print(trainingJson({ jobs }), () => renderTrainingJobTable(jobs));
      }),
    );

  train
    .command('cancel')
    .description('cancel a queued job at once, or ask a running one to stop at its next iteration')
    .argument('<id>', 'job ID')
    .option('--reason <text>', 'why (recorded on the job)')
    .addHelpText('after', '\nExit code 4 (FAILED_PRECONDITION) when the job already succeeded or failed.')
    .action((id: string, options: { reason?: string }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const response = await ctx.training.cancelJob({ id, reason: options.reason ?? '' });
        const job = trained(response.job, 'job');
        const verdict = job.status === 'JOB_STATUS_CANCELLING' ? 'cancellation requested: the job stops at its next iteration' : formatStatus(job.status);
        ctx.print(trainingJson(response), () => `${verdict}\n${renderTrainingJob(job)}`);
      }),
    );

  train
    .command('watch')
    .description('stream a training job until it finishes: status changes, iterations, log lines')
    .argument('<id>', 'job ID')
    .option('--logs', "also print the job's log lines")
    .option('--after <n>', 'replay the retained events after this sequence number first (default 0: start with the current status)', '0')
    .addHelpText('after', `${WATCH_HELP}\nWith --json every event is one JSON line {"event": ...}, then the finished job as {"job": ...}.\nNo deadline applies (--timeout is ignored).`)
    .action((id: string, options: { logs?: boolean; after: string }, command: Command) =>
      withContext(deps, command, async (ctx) => {
        const afterSequence = parseInteger(options.after, '--after', 0, Number.MAX_SAFE_INTEGER);
        if (afterSequence > 0) ctx.note(`training job ${id}: replaying the events after ${afterSequence}`);
        const finished = ctx.options.json
          ? await watchTrainingJob(ctx, { id, afterSequence, includeLogs: options.logs === true, onEvent: (event) => ctx.io.stdout.write(renderJson(trainingJson({ event }))) })
          : await watchWithProgress(ctx, id, afterSequence, options.logs === true);
        ctx.print(trainingJson({ job: finished }), () => renderTrainingJob(finished));
        concludeJob(finished);
      }),
    );
}
