import { describeServiceBoot } from '@strata/testing';
import { featureService } from '../../src/bootstrap';

describeServiceBoot(featureService);
