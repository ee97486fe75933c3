import '@strata/observability/register';
import { runService } from '@strata/service-runtime';
import { registryService, DEFAULT_PORTS } from './bootstrap';

void runService(registryService, DEFAULT_PORTS);
