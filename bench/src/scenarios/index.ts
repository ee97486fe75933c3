// The scenario registry: `npm run bench` runs these in this order; `npm run bench -- <name>` picks.
import type { Scenario } from '../scenario';
import { importMaterializeScenario } from './import-materialize';
import { onlineFetchScenario } from './online-fetch';
import { peakScenario } from './peak';
import { predictScenario } from './predict';
import { trainingScenario } from './training';

export const SCENARIOS: readonly Scenario[] = [
  predictScenario, // 1. single-row predict through the gateway (REST and gRPC) at 200 / 500 / 1,000 rps
  peakScenario, // 2. peak throughput with p99 under 10 ms, with and without dynamic batching
  onlineFetchScenario, // 3. online feature fetch, 1 and 100 entities, cached and uncached
  // 4. predict with features on the path: measured inside `predict` (the /v1 rows series) — lead: wire a dedicated scenario here if wanted
  importMaterializeScenario, // 5. import + materialize flights-3m.parquet
  trainingScenario, // 6. GBDT and logistic-regression training on 200k rows
  // 7. hot swap under load, 8. soak: not yet written
];
