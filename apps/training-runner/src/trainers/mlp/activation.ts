/** Activations of the hidden layers. */
export type MlpActivation = 'relu' | 'tanh' | 'sigmoid';

/** Every {@link MlpActivation}, in training.proto order. */
export const MLP_ACTIVATIONS: readonly MlpActivation[] = ['relu', 'tanh', 'sigmoid'];

/** The ONNX operator of each activation. */
export const ONNX_ACTIVATION_OP: Readonly<Record<MlpActivation, string>> = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid' };

// Module constants instead of Math.*: a global lookup per call is slow inside vm contexts (Jest).
const { exp, tanh } = Math;

/** In place: `values[i] = activation(values[i])` for `i < length`. */
export function activate(kind: MlpActivation, values: Float64Array, length: number): void {
  switch (kind) {
    case 'relu':
      for (let index = 0; index < length; index += 1) if ((values[index] as number) < 0) values[index] = 0;
      return;
    case 'tanh':
      for (let index = 0; index < length; index += 1) values[index] = tanh(values[index] as number);
      return;
    case 'sigmoid':
      for (let index = 0; index < length; index += 1) values[index] = logistic(values[index] as number);
      return;
  }
}

/** In place: multiplies `gradient` by the activation's derivative, given the activation's outputs. */
export function backpropagateActivation(kind: MlpActivation, outputs: Float64Array, gradient: Float64Array, length: number): void {
  switch (kind) {
    case 'relu':
      for (let index = 0; index < length; index += 1) if ((outputs[index] as number) <= 0) gradient[index] = 0;
      return;
    case 'tanh':
      for (let index = 0; index < length; index += 1) {
        const output = outputs[index] as number;
        gradient[index] = (gradient[index] as number) * (1 - output * output);
      }
      return;
    case 'sigmoid':
      for (let index = 0; index < length; index += 1) {
        const output = outputs[index] as number;
        gradient[index] = (gradient[index] as number) * output * (1 - output);
      }
      return;
  }
}

/** The logistic function, without overflow for large |z|. */
export function logistic(z: number): number {
  if (z >= 0) return 1 / (1 + exp(-z));
  const e = exp(z);
  return e / (1 + e);
}
