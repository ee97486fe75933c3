import '@strata/observability/register';
import { runService } from '@strata/service-runtime';
import { gateway, DEFAULT_PORTS } from './bootstrap';

void runService(gateway, DEFAULT_PORTS);
