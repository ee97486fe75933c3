export { ONNX_PRODUCER_NAME, onnxModelOptions } from './onnx-model-options';
export { Standardizer } from './standardizer';
export { ONNX_ML_DOMAIN, ONNX_ML_OPSET_VERSION, StandardizerGraph } from './standardizer-graph';
export { checkTrainingInput } from './training-labels';
