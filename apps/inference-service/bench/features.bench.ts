/**
 * Features on the request path, measured: Predict with entity IDs (online features from a real
 * feature-service process) while the feature-service is healthy, stopped (SIGSTOP: the socket
 * stays open and nothing answers, the worst case) and killed. Prints p50/p99 of each phase
 * against the healthy phase and against FEATURE_FETCH_DEADLINE, and the share of answers that
 * carried `feature_fetch_failed`. Nothing is asserted; every process is stopped at the end.
 *
 *   node -r ./tools/dev/register-ts.js apps/inference-service/bench/features.bench.ts
 */
import { buildLinearModel } from '@strata/onnx';
import { buildServiceForTest, GrpcTestClient, type ServiceBuild, type ServiceProcess, startServiceProcess, TestRegistry } from '@strata/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TestFeatureService } from '../test/fixtures/test-feature-service';
import { closedLoop, fixed, type LoadStats } from './load-stats';

const DEADLINE_MS = 100; // the FEATURE_FETCH_DEADLINE default
const CONCURRENCY = 8;
const PHASE_MS = 5_000;
const MODEL = 'flight-delay';

interface Answer {
  degradation: { featureFetchFailed: boolean };
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  let features: TestFeatureService | undefined;
  let registry: TestRegistry | undefined;
  let build: ServiceBuild | undefined;
  let inference: ServiceProcess | undefined;
  let client: GrpcTestClient | undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'inference-features-bench-'));
  try {
    [features, registry, build] = await Promise.all([TestFeatureService.start(), TestRegistry.start(), buildServiceForTest('inference-service')]);
    const contract = await features.client.call<{ featureSet: { contractDigest: string } }>('getFeatureSet', { featureSet: { name: 'route_stats', version: 1 } });
    await registry.createModel(MODEL);
    const model = Buffer.from(buildLinearModel({ weights: [[0.01], [0.001], [0.1]], bias: [0], featureCount: 3, activation: 'sigmoid', inputName: 'features', outputName: 'probability' }));
    const version = await registry.register(MODEL, model, {
      inputBindings: [{ input: 'features', features: ['route_stats.flights_7d', 'distance', 'hour_of_day'] }],
      lineage: { featureContracts: [{ featureSet: { name: 'route_stats', version: 1 }, digest: contract.featureSet.contractDigest }] },
    });
    await registry.setAlias(MODEL, 'production', version);
    inference = await startServiceProcess(build, { DATA_DIR: dataDir, REGISTRY_ADDRESS: registry.grpcAddress, FEATURE_SERVICE_ADDRESS: features.grpcAddress, FEATURE_FETCH_DEADLINE: `${DEADLINE_MS}ms`, LOG_LEVEL: 'error' });
    const inferenceClient = new GrpcTestClient('inferenceV1', 'InferenceService', inference.grpcAddress);
    client = inferenceClient;
    const request = { model: { name: MODEL }, rows: [{ entityId: 'PHX|LAS', features: { distance: { doubleValue: 256 } } }] };
    while (!(await inferenceClient.call('predict', request).then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(`feature-service, registry and inference-service up in ${fixed((performance.now() - startedAt) / 1000, 1)} s; FEATURE_FETCH_DEADLINE=${DEADLINE_MS} ms, ${CONCURRENCY} callers, ${PHASE_MS / 1000} s per phase`);

    const phase = async (label: string): Promise<LoadStats & { degraded: number }> => {
      let degraded = 0;
      const stats = await closedLoop(CONCURRENCY, PHASE_MS, async () => {
        const answer = await inferenceClient.call<Answer>('predict', request);
        if (answer.degradation.featureFetchFailed) degraded += 1;
      });
      console.log(`${label.padEnd(26)} ${String(stats.calls).padStart(7)} calls ${String(stats.failed).padStart(3)} failed  p50 ${fixed(stats.p50).padStart(7)} ms  p99 ${fixed(stats.p99).padStart(7)} ms  feature_fetch_failed ${fixed((100 * degraded) / Math.max(1, stats.calls), 1)}%`);
      return { ...stats, degraded };
    };
    const healthy = await phase('healthy');
    features.process.child.kill('SIGSTOP');
    const stopped = await phase('stopped (SIGSTOP)');
    features.process.child.kill('SIGCONT');
    await features.process.killHard();
    const killed = await phase('killed');
    console.log(`\np99 stopped / healthy = ${fixed(stopped.p99 / healthy.p99)}x; p99 stopped - deadline = ${fixed(stopped.p99 - DEADLINE_MS)} ms (each fetch waits at most the deadline; after 20 consecutive failures the breaker answers with defaults at once and probes every 500 ms)`);
    console.log(`p99 killed / healthy = ${fixed(killed.p99 / healthy.p99)}x (a refused connection fails at once); failed requests: ${healthy.failed + stopped.failed + killed.failed}`);
  } finally {
    client?.close();
    await inference?.stop();
    await registry?.stop();
    await features?.stop().catch(() => undefined);
    await build?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`\nbench done in ${fixed((performance.now() - startedAt) / 1000, 1)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
