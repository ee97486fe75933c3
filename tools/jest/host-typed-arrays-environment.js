// Jest runs each test file in its own realm with its own typed-array constructors, but
// onnxruntime-node's native binding creates output tensors with the host realm's ones, so
// onnxruntime-common's `data instanceof Float32Array` checks fail ("A float32 tensor's data must
// be type of Float32Array"). This environment gives the test realm the host's constructors.
// jest.preset.js uses it for every project.
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'ArrayBuffer',
  'BigInt64Array',
  'BigUint64Array',
  'DataView',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'SharedArrayBuffer',
  'Uint8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Uint32Array',
];

class OnnxRuntimeTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxRuntimeTestEnvironment;
