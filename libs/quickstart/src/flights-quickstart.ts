import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { featuresV1, inferenceV1, PlatformClients, registryV1, trainingV1 } from './platform-clients';

/** How the pipeline tells a person what it is doing. */
export interface QuickstartReporter {
  /** A new step starts: `[index/total] title`. */
  step(index: number, total: number, title: string): void;
  /** A progress update of the current step (rows imported, boosting rounds, ...). */
  progress(text: string): void;
  /** A result line of the current step. */
  info(text: string): void;
}

/** What the pipeline needs besides the clients. */
export interface FlightsQuickstartOptions {
  /** The folder with flights.source.json, route_stats.v1.json, ... (examples/flights). */
  readonly examplesDir: string;
  /** The flights file, relative to the feature service's IMPORT_ROOT. */
  readonly importPath?: string;
  /** Source of the training job (a JobSpec file in its proto-JSON form). */
  readonly jobSpecFile?: string;
  /** How long to wait for inference to serve the promoted version. */
  readonly servingTimeoutMs?: number;
  /** How often job and serving status are polled. */
  readonly pollMs?: number;
  readonly reporter: QuickstartReporter;
}

/** What the pipeline produced (or found already there). */
export interface QuickstartOutcome {
  readonly modelName: string;
  readonly version: number;
  /** The feature contract the version was trained on: `route_stats@1`. */
  readonly featureContract: string;
  readonly importedRows: number;
  readonly trainingJobId: string;
  readonly metrics: Readonly<Record<string, number>>;
  /** Steps skipped because their result already existed (a second `npm start`). */
  readonly reused: readonly string[];
}

const SOURCE = 'flights';
const FEATURE_SETS = ['route_stats.v1.json', 'airport_delay_stats.v1.json'];
const TRAINED_FEATURE_SET = 'route_stats';
/** January to March 2001: the whole of flights-20k.json. */
const DATA_START_SECONDS = 978_307_200;
const DATA_END_SECONDS = 986_083_200;
const PRODUCTION = 'production';
const STEPS = 7;

const FEATURE_JOB_DONE = new Set(['JOB_STATUS_SUCCEEDED', 'JOB_STATUS_FAILED', 'JOB_STATUS_CANCELLED']);
const TRAINING_DONE = new Set(['JOB_STATUS_SUCCEEDED', 'JOB_STATUS_FAILED', 'JOB_STATUS_CANCELLED']);

/**
 * The flights pipeline `npm start` runs against a running platform: source and feature sets,
 * import, materialization, GBDT training, gate policy, promotion to production, and the wait
 * until inference serves it. Every step is idempotent, so a second run finds and reuses what
 * the first made (no second import, training job or version).
 */
export class FlightsQuickstart {
  private readonly reused: string[] = [];
  private readonly pollMs: number;

  constructor(
    private readonly clients: PlatformClients,
    private readonly options: FlightsQuickstartOptions,
  ) {
    this.pollMs = options.pollMs ?? 250;
  }

  async run(): Promise<QuickstartOutcome> {
    const { reporter } = this.options;
    reporter.step(1, STEPS, 'apply the flights source and feature sets');
    await this.applyDefinitions();
    reporter.step(2, STEPS, `import ${this.importPath} (vega-datasets)`);
    const importedRows = await this.importFlights();
    reporter.step(3, STEPS, `materialize ${TRAINED_FEATURE_SET} (January to March 2001)`);
    await this.materialize();
    reporter.step(4, STEPS, 'train a GBDT model (flight-delay: departure delayed by more than 15 minutes)');
    const job = await this.train();
    const modelName = job.spec?.modelName ?? 'flight-delay';
    const version = job.registeredVersion;
    reporter.step(5, STEPS, `gate policy on ${modelName}@${PRODUCTION}`);
    await this.setGatePolicy(modelName);
    reporter.step(6, STEPS, `promote ${modelName} v${version} to ${PRODUCTION} through the gate`);
    await this.promote(modelName, version);
    reporter.step(7, STEPS, `wait until inference serves ${modelName} v${version}`);
    await this.waitUntilServed(modelName, version);
    const { version: registered } = await this.clients.registry.call<registryV1.GetVersionResponse>('getVersion', { model: { name: modelName, version } });
    const pin = registered?.lineage?.featureContracts.find((contract) => contract.featureSet?.name === TRAINED_FEATURE_SET);
    return {
      modelName,
      version,
      featureContract: pin?.featureSet == null ? '' : `${pin.featureSet.name}@${pin.featureSet.version}`,
      importedRows,
      trainingJobId: job.id,
      metrics: { ...job.metrics },
      reused: [...this.reused],
    };
  }

  private get importPath(): string {
    return this.options.importPath ?? 'flights-20k.json';
  }

  private readExample<T>(file: string): T {
    return JSON.parse(readFileSync(path.join(this.options.examplesDir, file), 'utf8')) as T;
  }

  private async applyDefinitions(): Promise<void> {
    const { reporter } = this.options;
    const source = await this.clients.features.call<featuresV1.ApplySourceResponse>('applySource', { spec: this.readExample('flights.source.json') });
    reporter.info(`source ${SOURCE} v${source.source?.version ?? '?'} ${source.changed ? 'applied' : 'unchanged'}`);
    for (const file of FEATURE_SETS) {
      const applied = await this.clients.features.call<featuresV1.ApplyFeatureSetResponse>('applyFeatureSet', { spec: this.readExample(file) });
      const set = applied.featureSet;
      reporter.info(`feature set ${set?.spec?.name ?? file} v${set?.spec?.version ?? '?'} ${applied.created ? 'created' : 'unchanged'} (contract ${(set?.contractDigest ?? '').slice(0, 12)})`);
    }
  }

  private async importFlights(): Promise<number> {
    const { job } = await this.clients.features.call<featuresV1.ImportFileResponse>('importFile', {
      source: SOURCE,
      path: this.importPath,
      format: this.importPath.endsWith('.parquet') ? 'FILE_FORMAT_PARQUET' : 'FILE_FORMAT_JSON',
      idempotencyKey: `quickstart:${SOURCE}:${this.importPath}`,
    });
    if (job == null) throw new Error('ImportFile returned no job');
    if (job.status === 'JOB_STATUS_SUCCEEDED') this.reused.push('import');
    const done = await this.waitForFeatureJob(job, (counters) => `${counters.rowsRead}/${counters.rowsTotal} rows read, ${counters.rowsAccepted} accepted, ${counters.rowsRejected} quarantined`);
    const counters = done.counters;
    this.options.reporter.info(
      `${this.reused.includes('import') ? 'already imported' : 'imported'}: ${counters?.rowsAccepted ?? 0} rows accepted, ${counters?.rowsRejected ?? 0} quarantined (job ${done.id})`,
    );
    return Number(counters?.rowsAccepted ?? 0);
  }

  private async materialize(): Promise<void> {
    const { jobs } = await this.clients.features.call<featuresV1.ListJobsResponse>('listJobs', {
      kind: 'JOB_KIND_MATERIALIZE',
      status: 'JOB_STATUS_SUCCEEDED',
      featureSetName: TRAINED_FEATURE_SET,
      page: { pageSize: 1 },
    });
    const previous = jobs[0];
    if (previous !== undefined) {
      this.reused.push('materialize');
      this.options.reporter.info(`already materialized (job ${previous.id}, ${previous.counters?.valuesWritten ?? 0} values)`);
      return;
    }
    const { job } = await this.clients.features.call<featuresV1.MaterializeResponse>('materialize', {
      featureSet: { name: TRAINED_FEATURE_SET, version: 1 },
      start: { seconds: String(DATA_START_SECONDS), nanos: 0 },
      end: { seconds: String(DATA_END_SECONDS), nanos: 0 },
    });
    if (job == null) throw new Error('Materialize returned no job');
    const done = await this.waitForFeatureJob(job, (counters) => `${counters.rowsRead}/${counters.rowsTotal} events, ${counters.valuesWritten} values written`);
    this.options.reporter.info(`materialized: ${done.counters?.valuesWritten ?? 0} feature values (job ${done.id})`);
  }

  private async waitForFeatureJob(first: featuresV1.Job, describe: (counters: featuresV1.JobCounters) => string): Promise<featuresV1.Job> {
    let job = first;
    let shown = '';
    while (!FEATURE_JOB_DONE.has(job.status)) {
      await sleep(this.pollMs);
      const answer = await this.clients.features.call<featuresV1.GetJobResponse>('getJob', { id: job.id });
      if (answer.job == null) throw new Error(`GetJob ${job.id} returned no job`);
      job = answer.job;
      const line = job.counters == null ? job.status : describe(job.counters);
      if (line !== shown) this.options.reporter.progress(line);
      shown = line;
    }
    if (job.status !== 'JOB_STATUS_SUCCEEDED') throw new Error(`feature job ${job.id} ended ${job.status}: ${job.errorMessage}`);
    return job;
  }

  private async train(): Promise<trainingV1.Job> {
    const { reporter } = this.options;
    const spec = this.readExample<object>(this.options.jobSpecFile ?? 'flight-delay.gbdt.job.json');
    // A failed earlier attempt keeps its idempotency key: the next attempt gets the next key.
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const { job, created } = await this.clients.training.call<trainingV1.SubmitJobResponse>('submitJob', { spec, idempotencyKey: `quickstart:flight-delay:${attempt}` });
      if (job == null) throw new Error('SubmitJob returned no job');
      if (!created && (job.status === 'JOB_STATUS_FAILED' || job.status === 'JOB_STATUS_CANCELLED')) continue;
      if (!created && job.status === 'JOB_STATUS_SUCCEEDED') this.reused.push('training');
      reporter.info(created ? `submitted training job ${job.id}` : `training job ${job.id} (submitted earlier, ${job.status.replace('JOB_STATUS_', '').toLowerCase()})`);
      const done = TRAINING_DONE.has(job.status) ? job : await this.watchTraining(job.id);
      if (done.status !== 'JOB_STATUS_SUCCEEDED') {
        throw new Error(`training job ${done.id} ended ${done.status}: ${done.error?.message ?? 'no error message'}`);
      }
      if (!(done.registeredVersion > 0)) throw new Error(`training job ${done.id} registered no version: ${done.registrationSkippedReason || 'no reason given'}`);
      const metrics = Object.entries(done.metrics)
        .map(([name, value]) => `${name} ${value.toFixed(3)}`)
        .join(', ');
      reporter.info(`trained and registered ${done.spec?.modelName ?? 'flight-delay'} v${done.registeredVersion} (test ${metrics})`);
      return done;
    }
    throw new Error('five training attempts failed; see .data/logs/training-runner.log');
  }

  private async watchTraining(id: string): Promise<trainingV1.Job> {
    const { reporter } = this.options;
    const stream = this.clients.training.stream<trainingV1.WatchJobResponse>('watchJob', { id, afterSequence: '0', includeLogs: true });
    let lastShown = -1;
    try {
      for await (const { event } of stream) {
        if (event?.statusChanged != null) {
          reporter.progress(`status ${event.statusChanged.status.replace('JOB_STATUS_', '').toLowerCase()}`);
          if (TRAINING_DONE.has(event.statusChanged.status)) break;
        } else if (event?.progress != null) {
          const { iteration, totalIterations, loss, validationLoss } = event.progress;
          // One line per tenth of the rounds: visible progress without flooding the console.
          const step = Math.max(1, Math.floor(totalIterations / 10));
          if (iteration === totalIterations || iteration - lastShown >= step) {
            lastShown = iteration;
            const validation = validationLoss == null ? '' : `, validation loss ${validationLoss.toFixed(4)}`;
            reporter.progress(`round ${iteration}/${totalIterations}: loss ${loss.toFixed(4)}${validation}`);
          }
        } else if (event?.log != null) {
          reporter.progress(event.log.message);
        }
      }
    } finally {
      stream.cancel();
    }
    const { job } = await this.clients.training.call<trainingV1.GetJobResponse>('getJob', { id });
    if (job == null) throw new Error(`GetJob ${id} returned no job`);
    return job;
  }

  private async setGatePolicy(modelName: string): Promise<void> {
    const policy = {
      metricRules: [{ metric: 'auc', min: 0.55 }],
      requireFeatureContractServed: true,
      allowedRoles: ['admin'],
    };
    await this.clients.registry.call('setGatePolicy', { modelName, alias: PRODUCTION, policy, reason: 'quickstart: test auc >= 0.55, feature contract served' });
    this.options.reporter.info(`${PRODUCTION} requires auc >= 0.55 and its feature contract served by feature-service; only admins move it`);
  }

  private async promote(modelName: string, version: number): Promise<void> {
    const current = await this.currentAliasVersion(modelName);
    if (current === version) {
      this.reused.push('promotion');
      this.options.reporter.info(`${PRODUCTION} already points at v${version}`);
      return;
    }
    await this.clients.registry.call('setAlias', {
      modelName,
      alias: PRODUCTION,
      version,
      ...(current === undefined ? {} : { expectedCurrentVersion: current }),
      reason: 'quickstart: first release',
    });
    this.options.reporter.info(`${PRODUCTION}: ${current === undefined ? 'none' : `v${current}`} -> v${version} (every gate rule passed)`);
  }

  private async currentAliasVersion(modelName: string): Promise<number | undefined> {
    try {
      const { alias } = await this.clients.registry.call<registryV1.GetAliasResponse>('getAlias', { modelName, alias: PRODUCTION });
      return alias == null || alias.version === 0 ? undefined : alias.version;
    } catch (error) {
      if ((error as { code?: number }).code === 5) return undefined; // NOT_FOUND: no alias yet
      throw error;
    }
  }

  private async waitUntilServed(modelName: string, version: number): Promise<void> {
    const deadline = Date.now() + (this.options.servingTimeoutMs ?? 60_000);
    let last = 'no status yet';
    while (Date.now() < deadline) {
      try {
        const { status } = await this.clients.inference.call<inferenceV1.GetModelStatusResponse>('getModelStatus', { modelName }, 5_000);
        const loaded = status?.versions.find((candidate) => candidate.version === version);
        if (status?.ready === true && status.aliases[PRODUCTION] === version && loaded !== undefined) {
          this.options.reporter.info(`inference serves ${modelName} v${version} as ${PRODUCTION}`);
          return;
        }
        last = `ready=${String(status?.ready)}, ${PRODUCTION}=${String(status?.aliases[PRODUCTION])}, loaded ${status?.versions.map((v) => `v${v.version} ${v.state}`).join(', ') || 'none'}`;
      } catch (error) {
        last = (error as Error).message;
      }
      this.options.reporter.progress(last);
      await sleep(this.pollMs);
    }
    throw new Error(`inference did not serve ${modelName} v${version} in time (${last}); see .data/logs/inference-service.log`);
  }
}
