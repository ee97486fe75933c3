export { LogisticRegressionModel } from './logistic-regression.model';
export { LOGISTIC_REGRESSION_DEFAULTS, type LogisticRegressionParams } from './logistic-regression.params';
export { LogisticRegressionTrainer } from './logistic-regression.trainer';
