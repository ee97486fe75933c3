import '@strata/observability/register';
import { runService } from '@strata/service-runtime';
import { trainingRunner, DEFAULT_PORTS } from './bootstrap';

void runService(trainingRunner, DEFAULT_PORTS);
