import '@strata/observability/register';
import { runService } from '@strata/service-runtime';
import { DEFAULT_PORTS, trainingRunner } from './bootstrap';

// `--run-job <id>`: single-job mode, as the kubernetes executor starts a training pod.
const runJob = process.argv.indexOf('--run-job');
if (runJob >= 0) process.env['RUN_JOB_ID'] = process.argv[runJob + 1] ?? '';

void runService(trainingRunner, DEFAULT_PORTS);
