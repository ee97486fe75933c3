// Issue scenario 5: import + materialize flights-3m.parquet. Measured by the feature-service's
// own bench (apps/feature-service/bench/feature-bench.ts, run as a subprocess through
// app-bench.ts, shared with `online-fetch`): a fresh PostgreSQL database, ImportFile of the
// whole parquet file, then Materialize of airport_delay_stats and route_stats over its range,
// each timed from the job's start to its finish. The issue sets no number; the feature-service
// bench's own aim (import + both materializations within 60 s) is reported as a target.
import type { BenchContext, Figure, Scenario, ScenarioResult, TargetResult } from '../scenario';
import { type FeatureBenchReport, featureBench, featureBenchInput, fixed } from './app-bench';

const NAME = 'import-materialize';
const TITLE = 'Import + materialize flights-3m.parquet (feature-service on PostgreSQL)';

/** The figures, targets and notes of a feature-bench report (exported for a check without a run). */
export function importMaterializeResult(report: FeatureBenchReport): ScenarioResult {
  const imported = report.import;
  const figures: Figure[] = [
    { name: 'rows read', value: imported.rowsRead, unit: 'count' },
    { name: 'rows accepted', value: imported.rowsAccepted, unit: 'count' },
    { name: 'rows rejected (quarantined)', value: imported.rowsRejected, unit: 'count' },
    { name: `import ${report.input.file}: time`, value: imported.seconds, unit: 's' },
    { name: `import ${report.input.file}: throughput`, value: imported.rowsPerSecond, unit: 'rows/s' },
    ...report.materializations.flatMap((materialization): Figure[] => [
      { name: `materialize ${materialization.featureSet}: time`, value: materialization.seconds, unit: 's' },
      { name: `materialize ${materialization.featureSet}: throughput (events)`, value: materialization.eventsPerSecond, unit: 'rows/s' },
      { name: `materialize ${materialization.featureSet}: values written`, value: materialization.valuesWritten, unit: 'count' },
    ]),
    { name: 'import + materializations: time', value: report.total.seconds, unit: 's', baseline: { name: 'feature-service aim', value: report.total.aimSeconds } },
    { name: 'import + materializations: throughput (events)', value: imported.rowsRead / report.total.seconds, unit: 'rows/s' },
    { name: 'training set (1 day, GetHistoricalFeatures): rows', value: report.trainingSet.rows, unit: 'count' },
    { name: 'training set (1 day, GetHistoricalFeatures): build time', value: report.trainingSet.buildSeconds, unit: 's' },
    { name: 'training set: ReadDataset throughput', value: report.trainingSet.readRowsPerSecond, unit: 'rows/s' },
  ];
  const full = report.rowsRequested === null;
  const targets: TargetResult[] = full
    ? [
        {
          name: `import + materialize within the feature-service aim (AIM_SECONDS = ${report.total.aimSeconds} s)`,
          pass: report.total.seconds <= report.total.aimSeconds,
          detail: `${fixed(report.total.seconds, 1)} s <= ${report.total.aimSeconds} s (import ${fixed(imported.seconds, 1)} s + ${report.materializations.map((materialization) => `${materialization.featureSet} ${fixed(materialization.seconds, 1)} s`).join(' + ')}) for ${imported.rowsRead} rows`,
        },
      ]
    : [];
  const notes = [
    `Measured by apps/feature-service/bench/feature-bench.ts (subprocess) on ${featureBenchInput(report)}; the same run feeds \`online-fetch\`. Node ${report.node}.`,
    'The feature-service runs inside the bench process on a fresh PostgreSQL database (JOB_CONCURRENCY 1); each phase is one job, timed from its startedAt to its finishedAt. Materialization throughput counts the accepted source events it covers (the whole range), not values written.',
    ...(full
      ? []
      : [`--quick: ${report.rowsRequested} rows prepared as NDJSON in ${fixed(report.input.prepareSeconds, 1)} s (not timed as import); the ${report.total.aimSeconds} s aim is for the whole 3m-row parquet file, so it is not judged here.`]),
  ];
  return { scenario: NAME, title: TITLE, figures, targets, notes };
}

export const importMaterializeScenario: Scenario = {
  name: NAME,
  title: TITLE,
  async run(context: BenchContext): Promise<ScenarioResult> {
    return importMaterializeResult(await featureBench(context, NAME));
  },
};
