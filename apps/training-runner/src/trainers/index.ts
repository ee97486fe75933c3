import { GbdtTrainer } from './gbdt';
import { LogisticRegressionTrainer } from './logistic-regression';
import { MlpTrainer } from './mlp';
import { type Trainer } from './shared/trainer';

/** The built-in trainers by name (`TrainerName` minus `container`). */
export type BuiltInTrainerName = 'logistic_regression' | 'gbdt' | 'mlp';

const TRAINERS: Readonly<Record<BuiltInTrainerName, () => Trainer<unknown>>> = {
  logistic_regression: () => new LogisticRegressionTrainer() as Trainer<unknown>,
  gbdt: () => new GbdtTrainer() as Trainer<unknown>,
  mlp: () => new MlpTrainer() as Trainer<unknown>,
};

/** The built-in trainer called `name`. */
export function builtInTrainer(name: BuiltInTrainerName): Trainer<unknown> {
  return TRAINERS[name]();
}

export { type Matrix, matrixOf, selectRows } from './shared/matrix';
export { InvalidParamsError, MODEL_INPUT, MODEL_OUTPUT, type TrainingTask } from './shared/trainer';
