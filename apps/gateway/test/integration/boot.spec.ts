import { describeServiceBoot } from '@strata/testing';
import { gateway } from '../../src/bootstrap';

describeServiceBoot(gateway);
