import { OnnxDataType } from './onnx-schema';

/**
 * Tensor datatype names of the Open Inference Protocol (KServe v2), plus `BF16` as Triton
 * names it. `BYTES` is a tensor of strings (ONNX `STRING`).
 */
export type OipDatatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'BF16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

const OIP_BY_ONNX = new Map<number, OipDatatype>([
  [OnnxDataType.BOOL, 'BOOL'],
  [OnnxDataType.UINT8, 'UINT8'],
  [OnnxDataType.UINT16, 'UINT16'],
  [OnnxDataType.UINT32, 'UINT32'],
  [OnnxDataType.UINT64, 'UINT64'],
  [OnnxDataType.INT8, 'INT8'],
  [OnnxDataType.INT16, 'INT16'],
  [OnnxDataType.INT32, 'INT32'],
  [OnnxDataType.INT64, 'INT64'],
  [OnnxDataType.FLOAT16, 'FP16'],
  [OnnxDataType.BFLOAT16, 'BF16'],
  [OnnxDataType.FLOAT, 'FP32'],
  [OnnxDataType.DOUBLE, 'FP64'],
  [OnnxDataType.STRING, 'BYTES'],
]);

const ONNX_BY_OIP = new Map<OipDatatype, number>([...OIP_BY_ONNX].map(([onnx, oip]) => [oip, onnx]));

/**
 * The Open Inference Protocol datatype of an ONNX `TensorProto.DataType` code, or `undefined`
 * when the protocol has no name for it (UNDEFINED, complex, float8/float4, int4/int2).
 */
export function oipDatatypeOf(onnxDataType: number): OipDatatype | undefined {
  return OIP_BY_ONNX.get(onnxDataType);
}

/** The ONNX `TensorProto.DataType` code of an Open Inference Protocol datatype. */
export function onnxDataTypeOf(datatype: OipDatatype): number {
  const code = ONNX_BY_OIP.get(datatype);
  if (code === undefined) throw new RangeError(`unknown datatype ${String(datatype)}`);
  return code;
}
