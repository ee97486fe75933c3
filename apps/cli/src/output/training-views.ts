// How `strata train` shows training jobs: the proto3 JSON form, `key: value` and table views,
// and the progress printer for a job being watched.
import type { trainingV1 } from '@strata/contracts';
import type { Terminal } from '../context';
import { durationToJson, timestampToIso } from './json';
import { formatBytes, formatEnum, formatMap, formatTime, renderFields, renderTable, shortDigest } from './table';

/** Statuses after which a job never changes. */
export const TERMINAL = new Set(['JOB_STATUS_SUCCEEDED', 'JOB_STATUS_FAILED', 'JOB_STATUS_CANCELLED']);
/** In a log (not a terminal) at most one iteration line this often, besides the first and the last. */
const ITERATION_LINE_EVERY_MS = 2_000;
/** On a terminal the iteration line is redrawn in place at most this often. */
const REDRAW_EVERY_MS = 100;
const DURATION_FIELDS = new Set(['timeout']);
const MAP_FIELDS = new Set(['tags', 'params', 'metrics', 'validationMetrics', 'trainMetrics', 'env']);
/** Virtual properties proto-loader adds to name the member of a oneof that is set. */
const ONEOF_NAMES = new Set(['hyperparameters', 'strategy', 'event']);

/** A training message (as proto-loader gives it) in the proto3 JSON mapping; pass it to `print`. */
export function trainingJson(value: unknown, field = ''): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => trainingJson(item));
  if (typeof value !== 'object') return value;
  if (MAP_FIELDS.has(field)) return { ...value };
  const keys = Object.keys(value);
  if (keys.length === 2 && 'seconds' in value && 'nanos' in value) {
    const time = value as { seconds: string; nanos: number };
    return DURATION_FIELDS.has(field) ? durationToJson(time) : timestampToIso(time);
  }
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (key.startsWith('_') || (ONEOF_NAMES.has(key) && typeof member === 'string' && member in value)) continue;
    out[key] = trainingJson(member, key);
  }
  return out;
}

export const formatStatus = (value: string): string => formatEnum(value, 'JOB_STATUS_');
const formatNumber = (value: number): string => (Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4))));
const formatMetrics = (metrics: Readonly<Record<string, number>> | undefined): string =>
  formatMap(Object.fromEntries(Object.entries(metrics ?? {}).map(([name, value]) => [name, formatNumber(value)])));
export const shortId = (id: string): string => id.slice(0, 8);

function formatDuration(job: trainingV1.Job): string {
  if (job.startedAt == null || job.finishedAt == null) return '';
  const ms = (Number(job.finishedAt.seconds) - Number(job.startedAt.seconds)) * 1000 + (job.finishedAt.nanos - job.startedAt.nanos) / 1e6;
  return `${(ms / 1000).toFixed(1)}s`;
}

function formatEvaluation(evaluation: trainingV1.EvaluationResult | null | undefined): string {
  if (evaluation == null) return '';
  const checks = evaluation.thresholds.map(({ threshold, value, passed }) => {
    const bounds = [threshold?.min == null ? '' : `>= ${threshold.min}`, threshold?.max == null ? '' : `<= ${threshold.max}`].filter((bound) => bound !== '').join(' and ');
    return `${threshold?.metric ?? '?'} ${value == null ? 'n/a' : formatNumber(value)} (${bounds}) ${passed ? 'ok' : 'FAILED'}`;
  });
  return `${evaluation.passed ? 'passed' : 'failed'}${checks.length === 0 ? ' (no thresholds)' : `: ${checks.join('; ')}`}`;
}

function formatRegistration(job: trainingV1.Job): string {
  if (job.registeredVersion > 0) return `${job.spec?.modelName ?? ''} version ${job.registeredVersion}`;
  if (job.registrationSkippedReason !== '') return `skipped: ${job.registrationSkippedReason}`;
  return job.spec?.registerOnSuccess === true && !TERMINAL.has(job.status) ? 'pending' : '';
}

/** A training job as `key: value` lines; empty fields are left out. */
export function renderTrainingJob(job: trainingV1.Job): string {
  const spec = job.spec;
  const counts = job.splitCounts;
  return renderFields([
    ['job', job.id],
    ['status', `${formatStatus(job.status)}${job.attempts > 1 ? ` (attempt ${job.attempts})` : ''}`],
    ['model', spec?.modelName ?? ''],
    ['trainer', spec == null ? '' : `${formatEnum(spec.trainer, 'TRAINER_').replace(/_/g, ' ')}, ${formatEnum(spec.task, 'TASK_').replace(/_/g, ' ').replace('unspecified', 'binary classification')}`],
    ['idempotency key', job.idempotencyKey],
    ['created', formatTime(job.createdAt)],
    ['started', formatTime(job.startedAt)],
    ['finished', formatTime(job.finishedAt)],
    ['duration', formatDuration(job)],
    ['dataset', job.datasetSnapshotDigest === '' ? '' : `${job.datasetSnapshotDigest} (snapshot ${job.datasetSnapshotId})`],
    ['rows', counts == null ? '' : `train ${counts.trainRows}, validation ${counts.validationRows}, test ${counts.testRows}`],
    ['params', formatMap(job.params)],
    ['metrics', formatMetrics(job.metrics)],
    ['validation metrics', formatMetrics(job.validationMetrics)],
    ['train metrics', formatMetrics(job.trainMetrics)],
    ['evaluation', formatEvaluation(job.evaluation)],
    ['artifact', job.artifactSha256 === '' ? '' : `sha256 ${shortDigest(job.artifactSha256)}… (${formatBytes(job.artifactSizeBytes)})`],
    ['registered', formatRegistration(job)],
    ['error', job.error == null ? '' : `${job.error.code}: ${job.error.message}${job.error.retryable ? ' (retryable)' : ''}`],
  ]);
}

/** Jobs as a table, newest first as listed. */
export function renderTrainingJobTable(jobs: readonly trainingV1.Job[]): string {
  const rows = jobs.map((job) => [
    job.id,
    formatStatus(job.status),
    job.spec?.modelName ?? '',
    formatEnum(job.spec?.trainer ?? '', 'TRAINER_'),
    formatTime(job.createdAt),
    job.registeredVersion > 0 ? String(job.registeredVersion) : '-',
    job.error?.code ?? '-',
  ]);
  return renderTable(['ID', 'STATUS', 'MODEL', 'TRAINER', 'CREATED', 'VERSION', 'ERROR'], rows, '(no training jobs)');
}

/**
 * A job's events for a person, on stderr: one line per status change, log lines, and iteration
 * lines throttled (in a log: the first, the last and one every 2 s; on a terminal: redrawn in place).
 */
export class JobProgressPrinter {
  private lastStatus = '';
  private pending: string | undefined;
  private lastIterationAt = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly stderr: Terminal,
    private readonly now: () => number = Date.now,
  ) {}

  status(value: string, job: trainingV1.Job | null | undefined): void {
    if (value === this.lastStatus) return;
    this.lastStatus = value;
    const attempt = value === 'JOB_STATUS_RUNNING' && job != null && job.attempts > 1 ? ` (attempt ${job.attempts})` : '';
    this.line(`training job ${shortId(job?.id ?? '')} ${formatStatus(value)}${attempt}`);
  }

  progress(progress: trainingV1.JobProgress): void {
    const total = progress.totalIterations > 0 ? `/${progress.totalIterations}` : '';
    const validation = progress.validationLoss == null ? '' : `  validation ${formatNumber(progress.validationLoss)}`;
    const attempt = progress.attempt > 1 ? `attempt ${progress.attempt} ` : '';
    const text = `  ${attempt}iteration ${progress.iteration}${total}  loss ${formatNumber(progress.loss)}${validation}`;
    const edge = progress.iteration === 1 || progress.iteration === progress.totalIterations;
    const due = this.now() - this.lastIterationAt >= (this.stderr.isTTY === true ? REDRAW_EVERY_MS : ITERATION_LINE_EVERY_MS);
    this.pending = text;
    if (edge || due) this.showPending();
  }

  log(line: trainingV1.JobLogLine): void {
    const level = formatEnum(line.level, 'LOG_LEVEL_').replace('unspecified', 'log');
    this.line(`  [${level}] ${line.message}`);
  }

  /** Ends the output: the last iteration line, if not shown yet. */
  done(): void {
    this.settle();
  }

  private showPending(): void {
    if (this.pending === undefined) return;
    this.lastIterationAt = this.now();
    if (this.stderr.isTTY === true) {
      this.stderr.write(`\r${this.pending}\u001b[K`);
      this.drawn = true;
    } else this.stderr.write(`${this.pending}\n`);
    this.pending = undefined;
  }

  /** Shows the latest iteration before another line, so lines stay in the order things happened. */
  private settle(): void {
    this.showPending();
    if (this.drawn) this.stderr.write('\n');
    this.drawn = false;
  }

  private line(text: string): void {
    this.settle();
    this.stderr.write(`${text}\n`);
  }
}

