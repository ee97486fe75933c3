export { type MlpActivation } from './activation';
export { MlpModel } from './mlp.model';
export { MLP_DEFAULTS, type MlpParams } from './mlp.params';
export { MlpTrainer } from './mlp.trainer';
