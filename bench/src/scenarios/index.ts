// The scenario registry: `npm run bench` runs these in this order; `npm run bench -- <name>` picks.
import type { Scenario } from '../scenario';
import { importMaterializeScenario } from './import-materialize';
import { npmStartScenario } from './npm-start';
import { onlineFetchScenario } from './online-fetch';
import { overloadScenario } from './overload';
import { peakScenario } from './peak';
import { predictScenario } from './predict';
import { predictPathScenario } from './predict-path';
import { predictWithFeaturesScenario } from './predict-with-features';
import { hotSwapScenario } from './hot-swap';
import { soakScenario } from './soak';
import { trainingScenario } from './training';

export const SCENARIOS: readonly Scenario[] = [
  predictPathScenario, // issue 17: the predict path against D_chain (latency, CPU per request, capacity, RSS; tracing off and on), first, on a platform no scenario has loaded yet
  npmStartScenario, // issue 17, target 4: what `npm start` runs (PGlite, tracing to the launcher) against D_chain, entity rows at 100/s
  predictScenario, // 1. single-row predict through the gateway (REST and gRPC) at 200 / 500 / 1,000 rps
  peakScenario, // 2. peak throughput at 32+ callers with p99 under 100 ms, with and without dynamic batching (issue 17 target 5)
  onlineFetchScenario, // 3. online feature fetch, 1 and 100 entities, cached and uncached
  predictWithFeaturesScenario, // 4. predict with features on the path (gateway -> inference -> feature-service) at 50 / 100 / 200 rps, next to tensor only
  importMaterializeScenario, // 5. import + materialize flights-3m.parquet
  trainingScenario, // 6. GBDT and logistic-regression training on 200k rows
  hotSwapScenario, // 7. (issue 17, target 9) 100 production swaps between two versions under 300 rps and a busy core: no failed request, event-loop stall per load < 20 ms
  overloadScenario, // issue 17, target 3 (shedding): entity rows well above capacity, then 100/s: 503 + Retry-After, fast rejections, recovery within 1 s
  soakScenario, // 8. RSS and event-loop lag of the five services over a 10-minute soak at 100 rps
];
