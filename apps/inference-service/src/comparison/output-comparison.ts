import type { OipDatatype } from '@strata/onnx';

import type { InferenceTensor, TensorValue } from '../model-runtime/tensors';

const { abs, max } = Math;

/** Two float values agree when |a − b| ≤ this × max(1, |a|, |b|). */
export const FLOAT_TOLERANCE = 1e-6;

const FLOAT_DATATYPES: ReadonlySet<OipDatatype> = new Set<OipDatatype>(['FP16', 'BF16', 'FP32', 'FP64']);

/** How two versions' outputs for the same request compare (see {@link compareOutputs}). */
export interface OutputComparison {
  /** Rows (first dimension) compared. */
  readonly rows: number;
  /** Rows on which every output both versions return agrees. */
  readonly agreeingRows: number;
  /** Sum of |primary − candidate| over the float elements compared. */
  readonly absDiffSum: number;
  /** Float elements in `absDiffSum` (non-finite pairs and mismatched outputs are left out). */
  readonly comparedElements: number;
}

/** The outputs of one inference, by output name. */
export type InferenceOutputs = Readonly<Record<string, InferenceTensor>>;

/**
 * Compares a candidate version's outputs with the primary's for the same request, row by row.
 *
 * Only outputs both sides return are compared; a row agrees when every one of them agrees
 * on it:
 * - float outputs (FP16/BF16/FP32/FP64) whose last dimension has more than one column: the
 *   arg-max over that dimension (the predicted class) is the same;
 * - other float outputs, element by element: when both values are in [0, 1] (a probability
 *   or score), they are on the same side of 0.5; otherwise |a − b| ≤ 1e-6 × max(1, |a|, |b|);
 * - integer, BOOL and BYTES outputs (labels): every element is equal.
 *
 * The mean absolute difference (`absDiffSum / comparedElements`) covers float elements only.
 * An output whose datatype kind (float vs label), shape or data length differs between the
 * sides, or no output in common at all, makes every row disagree. Never throws.
 */
export function compareOutputs(primary: InferenceOutputs, candidate: InferenceOutputs): OutputComparison {
  const names = Object.keys(primary).filter((name) => Object.prototype.hasOwnProperty.call(candidate, name));
  const rows = rowCount(names.length > 0 ? primary[names[0] as string] : (Object.values(primary)[0] ?? Object.values(candidate)[0]));
  if (names.length === 0) return { rows, agreeingRows: 0, absDiffSum: 0, comparedElements: 0 };

  const agrees = new Array<boolean>(rows).fill(true);
  let absDiffSum = 0;
  let comparedElements = 0;
  for (const name of names) {
    const left = primary[name] as InferenceTensor;
    const right = candidate[name] as InferenceTensor;
    if (!comparable(left, right)) {
      agrees.fill(false);
      continue;
    }
    const float = FLOAT_DATATYPES.has(left.datatype);
    // An output without the batch dimension (a different first size) is judged as a whole for every row.
    const outputRows = rowCount(left);
    const perRow = outputRows === rows;
    const units = perRow ? rows : 1;
    const unitSize = units === 0 ? 0 : left.data.length / units;
    const lastDim = left.shape.length >= 2 ? (left.shape[left.shape.length - 1] as number) : 1;
    for (let unit = 0; unit < units; unit++) {
      const start = unit * unitSize;
      let agreed: boolean;
      if (float) {
        const diff = absDiff(left.data, right.data, start, unitSize);
        absDiffSum += diff.sum;
        comparedElements += diff.count;
        agreed = lastDim > 1 ? sameArgMaxes(left.data, right.data, start, unitSize, lastDim) : floatsAgree(left.data, right.data, start, unitSize);
      } else {
        agreed = labelsEqual(left.data, right.data, start, unitSize);
      }
      if (!agreed) {
        if (perRow) agrees[unit] = false;
        else agrees.fill(false);
      }
    }
  }
  return { rows, agreeingRows: agrees.filter(Boolean).length, absDiffSum, comparedElements };
}

function rowCount(tensor: InferenceTensor | undefined): number {
  if (tensor === undefined || !Array.isArray(tensor.shape)) return 0;
  if (tensor.shape.length === 0) return 1;
  const first = tensor.shape[0];
  return typeof first === 'number' && Number.isSafeInteger(first) && first >= 0 ? first : 0;
}

function elementCount(tensor: InferenceTensor): number | undefined {
  let count = 1;
  for (const dim of tensor.shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) return undefined;
    count *= dim;
  }
  return count;
}

function comparable(left: InferenceTensor, right: InferenceTensor): boolean {
  if (!Array.isArray(left.shape) || !Array.isArray(right.shape) || left.data == null || right.data == null) return false;
  if (FLOAT_DATATYPES.has(left.datatype) !== FLOAT_DATATYPES.has(right.datatype)) return false;
  if (left.shape.length !== right.shape.length || left.shape.some((dim, index) => dim !== right.shape[index])) return false;
  const count = elementCount(left);
  return count !== undefined && left.data.length === count && right.data.length === count;
}

function absDiff(left: ArrayLike<TensorValue>, right: ArrayLike<TensorValue>, start: number, size: number): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (let index = start; index < start + size; index++) {
    const a = left[index];
    const b = right[index];
    if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b)) {
      sum += abs(a - b);
      count++;
    }
  }
  return { sum, count };
}

function sameArgMaxes(left: ArrayLike<TensorValue>, right: ArrayLike<TensorValue>, start: number, size: number, columns: number): boolean {
  for (let group = start; group < start + size; group += columns) {
    const a = argMax(left, group, columns);
    if (a === undefined || a !== argMax(right, group, columns)) return false;
  }
  return true;
}

// The first index of the largest number; NaNs are skipped; undefined when nothing is a number.
function argMax(data: ArrayLike<TensorValue>, start: number, columns: number): number | undefined {
  let best: number | undefined;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let column = 0; column < columns; column++) {
    const value = data[start + column];
    if (typeof value !== 'number' || Number.isNaN(value)) continue;
    if (best === undefined || value > bestValue) {
      best = column;
      bestValue = value;
    }
  }
  return best;
}

function floatsAgree(left: ArrayLike<TensorValue>, right: ArrayLike<TensorValue>, start: number, size: number): boolean {
  for (let index = start; index < start + size; index++) {
    const a = left[index];
    const b = right[index];
    if (typeof a !== 'number' || typeof b !== 'number') return false;
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (Number.isNaN(a) && Number.isNaN(b)) continue;
      return false;
    }
    if (a >= 0 && a <= 1 && b >= 0 && b <= 1) {
      if (a >= 0.5 !== b >= 0.5) return false;
    } else if (a !== b && !(abs(a - b) <= FLOAT_TOLERANCE * max(1, abs(a), abs(b)))) {
      return false;
    }
  }
  return true;
}

function labelsEqual(left: ArrayLike<TensorValue>, right: ArrayLike<TensorValue>, start: number, size: number): boolean {
  for (let index = start; index < start + size; index++) {
    const a = left[index];
    const b = right[index];
    // INT64 labels may arrive as bigint on one side and number on the other.
    if (a !== b && !(typeof a !== typeof b && (typeof a === 'bigint' || typeof b === 'bigint') && String(a) === String(b))) return false;
  }
  return true;
}
