import '@strata/observability/register';
import { runService } from '@strata/service-runtime';
import { featureService, DEFAULT_PORTS } from './bootstrap';

void runService(featureService, DEFAULT_PORTS);
