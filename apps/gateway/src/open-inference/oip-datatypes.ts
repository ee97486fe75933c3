import type { oipV1 } from '@strata/contracts';

/** The Open Inference Protocol tensor datatypes. */
export const OIP_DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES', 'BF16'] as const;

/** An Open Inference Protocol tensor datatype. */
export type OipDatatype = (typeof OIP_DATATYPES)[number];

/** A member of `InferTensorContents` (`fp32Contents`, ...). */
export type ContentsMember = keyof oipV1.InferTensorContents;

/**
 * The `InferTensorContents` member carrying each datatype; FP16 and BF16 have none (the
 * protocol carries them only as raw bytes).
 */
export const CONTENTS_MEMBER: Readonly<Record<OipDatatype, ContentsMember | undefined>> = {
  BOOL: 'boolContents',
  UINT8: 'uintContents',
  UINT16: 'uintContents',
  UINT32: 'uintContents',
  UINT64: 'uint64Contents',
  INT8: 'intContents',
  INT16: 'intContents',
  INT32: 'intContents',
  INT64: 'int64Contents',
  FP16: undefined,
  FP32: 'fp32Contents',
  FP64: 'fp64Contents',
  BYTES: 'bytesContents',
  BF16: undefined,
};

/** Whether `name` is an Open Inference Protocol datatype. */
/** Value range of each integer datatype that fits a JS number (INT64/UINT64 need bigint). */
export const INT_RANGES: Readonly<Partial<Record<string, readonly [number, number]>>> = {
  INT8: [-128, 127],
  INT16: [-32_768, 32_767],
  INT32: [-2_147_483_648, 2_147_483_647],
  UINT8: [0, 255],
  UINT16: [0, 65_535],
  UINT32: [0, 4_294_967_295],
};

export function isOipDatatype(name: unknown): name is OipDatatype {
  return typeof name === 'string' && (OIP_DATATYPES as readonly string[]).includes(name);
}

/** Empty tensor contents (every member present, as proto-loader expects and produces). */
export function emptyContents(): oipV1.InferTensorContents {
  return { boolContents: [], intContents: [], int64Contents: [], uintContents: [], uint64Contents: [], fp32Contents: [], fp64Contents: [], bytesContents: [] };
}
