export { GbdtModel, type GbdtTask } from './gbdt-model';
export { GBDT_DEFAULTS, type GbdtParams } from './gbdt-params';
export { GbdtTrainer } from './gbdt-trainer';
