import { OnnxGraphBuilder } from './onnx-graph-builder';

/** Who wrote a model (`producer_name`/`producer_version`); a string is the name alone. */
export type OnnxProducer = string | { name: string; version?: string };

/** Parameters of {@link buildLinearModel}. */
export interface LinearModelSpec {
  /** One row per feature, one column per output: `weights[feature][output]`. */
  weights: readonly (readonly number[])[];
  /** One value per output. */
  bias: readonly number[];
  /** Number of input features; must equal `weights.length`. */
  featureCount: number;
  /** `'sigmoid'` turns the scores into probabilities (logistic regression). Default `'none'`. */
  activation?: 'none' | 'sigmoid';
  /** Default `'input'`. */
  inputName?: string;
  /** Default `'output'`. */
  outputName?: string;
  producer?: OnnxProducer;
}

// Internal value names; dots keep them out of the way of the caller's input and output names.
const WEIGHTS = 'linear.weights';
const BIAS = 'linear.bias';
const PRODUCT = 'linear.product';
const SCORES = 'linear.scores';

/**
 * Builds `output = activation(input · weights + bias)` as an ONNX model (opset 17, IR 8):
 * input FP32 `[batch, featureCount]`, output FP32 `[batch, outputs]`, where `batch` is dynamic;
 * nodes MatMul, Add and, with `activation: 'sigmoid'`, Sigmoid. Weights are stored as FP32.
 *
 * @throws RangeError when the weights are not a featureCount × outputs matrix of finite
 * numbers, the bias does not have one finite value per output, or names collide.
 */
export function buildLinearModel(spec: LinearModelSpec): Uint8Array {
  const { weights, bias, featureCount, activation = 'none', inputName = 'input', outputName = 'output' } = spec;
  if (!Number.isSafeInteger(featureCount) || featureCount < 1) throw new RangeError(`featureCount must be a positive integer, got ${featureCount}`);
  if (weights.length !== featureCount) throw new RangeError(`weights must have featureCount=${featureCount} rows, got ${weights.length}`);
  const outputCount = bias.length;
  if (outputCount < 1) throw new RangeError('bias must have one value per output, got none');
  weights.forEach((row, feature) => {
    if (row.length !== outputCount) throw new RangeError(`weights row ${feature} has ${row.length} values, expected ${outputCount} (one per bias value)`);
  });
  const flatWeights = weights.flat();
  if (![...flatWeights, ...bias].every(Number.isFinite)) throw new RangeError('weights and bias must be finite numbers');
  if (inputName === outputName) throw new RangeError(`inputName and outputName must differ, both are "${inputName}"`);
  for (const name of [inputName, outputName]) {
    if (name === '' || [WEIGHTS, BIAS, PRODUCT, SCORES].includes(name)) throw new RangeError(`"${name}" cannot name a model input or output`);
  }

  const sigmoid = activation === 'sigmoid';
  const builder = new OnnxGraphBuilder('linear')
    .addInput({ name: inputName, datatype: 'FP32', shape: ['batch', featureCount] })
    .addInitializer({ name: WEIGHTS, datatype: 'FP32', dims: [featureCount, outputCount], values: flatWeights })
    .addInitializer({ name: BIAS, datatype: 'FP32', dims: [outputCount], values: bias })
    .addNode({ opType: 'MatMul', name: 'matmul', inputs: [inputName, WEIGHTS], outputs: [PRODUCT] })
    .addNode({ opType: 'Add', name: 'add_bias', inputs: [PRODUCT, BIAS], outputs: [sigmoid ? SCORES : outputName] });
  if (sigmoid) builder.addNode({ opType: 'Sigmoid', name: 'sigmoid', inputs: [SCORES], outputs: [outputName] });
  const producer = typeof spec.producer === 'string' ? { name: spec.producer } : (spec.producer ?? { name: 'strata' });
  return builder
    .addOutput({ name: outputName, datatype: 'FP32', shape: ['batch', outputCount] })
    .addOpset('', 17)
    .build({ irVersion: 8, producerName: producer.name, producerVersion: producer.version ?? '' });
}
