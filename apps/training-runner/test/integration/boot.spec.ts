import { describeServiceBoot } from '@strata/testing';
import { trainingRunner } from '../../src/bootstrap';

describeServiceBoot(trainingRunner);
