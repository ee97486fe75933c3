import { describeServiceBoot } from '@strata/testing';
import { registryService } from '../../src/bootstrap';

describeServiceBoot(registryService);
