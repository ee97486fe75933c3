import '@strata/observability/register';
import { runService } from '@strata/service-runtime';
import { inferenceService, DEFAULT_PORTS } from './bootstrap';

void runService(inferenceService, DEFAULT_PORTS);
