import { describeServiceBoot } from '@strata/testing';
import { inferenceService } from '../../src/bootstrap';

describeServiceBoot(inferenceService);
