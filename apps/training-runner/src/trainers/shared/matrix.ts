/** A dense row-major numeric matrix; `NaN` marks a missing value. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** `values[row * cols + col]`. */
  readonly values: Float64Array;
}

/** A matrix from row arrays (tests and small inputs). */
export function matrixOf(rows: readonly (readonly number[])[], cols = rows[0]?.length ?? 0): Matrix {
  const values = new Float64Array(rows.length * cols);
  rows.forEach((row, index) => {
    if (row.length !== cols) throw new RangeError(`row ${index} has ${row.length} values, expected ${cols}`);
    values.set(row, index * cols);
  });
  return { rows: rows.length, cols, values };
}

/** The rows at `indices`, in that order. */
export function selectRows(matrix: Matrix, indices: ArrayLike<number>): Matrix {
  const { cols } = matrix;
  const values = new Float64Array(indices.length * cols);
  for (let i = 0; i < indices.length; i += 1) {
    const from = (indices[i] as number) * cols;
    values.set(matrix.values.subarray(from, from + cols), i * cols);
  }
  return { rows: indices.length, cols, values };
}

/** The matrix as ONNX sees it: every value rounded to float32 (the exported graphs take FP32 inputs). */
export function toFloat32(matrix: Matrix): Float32Array {
  return Float32Array.from(matrix.values);
}
