import { type Matrix } from '../trainers/shared/matrix';
import { type TrainingTask } from '../trainers/shared/trainer';
import { type Cell, type DatasetColumn } from './feature-store';
import { labelValueOf, type LabelExpression } from './label-expression';

/** Model inputs computed from the row timestamp (UTC) rather than read from a column. */
export const DERIVED_FEATURES = ['hour_of_day', 'day_of_week'] as const;

/** A training set in memory: the model input matrix, labels and row times. */
export interface TrainingSet {
  readonly featureNames: readonly string[];
  readonly x: Matrix;
  readonly y: Float64Array;
  /** Row timestamps, epoch ms. */
  readonly timestamps: Float64Array;
  /** Multiclass: the label value of each class index. */
  readonly classes?: readonly string[];
  /** Rows left out because their label was null. */
  readonly droppedRows: number;
}

/** A training set that cannot be built from the snapshot (becomes the job's error code). */
export class TrainingSetError extends Error {
  constructor(
    readonly code: 'DATASET_EMPTY' | 'DATASET_BUILD_FAILED' | 'LABEL_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'TrainingSetError';
  }
}

/** How each model input column is read from a snapshot row. */
type ColumnReader = (row: readonly Cell[], timestamp: number) => number;

/** Which model input columns a plan asks for, as snapshot column names or derived names. */
export function inputColumnsOf(requested: readonly string[], columns: readonly DatasetColumn[]): string[] {
  return requested.length > 0 ? [...requested] : columns.filter((column) => column.role === 'feature').map((column) => column.name);
}

/**
 * Turns snapshot rows into a numeric matrix: features as float64 (BOOL → 0/1, null → NaN),
 * the label per task (binary 0/1, regression number, multiclass class index), rows with a
 * null label dropped.
 */
export function assembleTrainingSet(
  columns: readonly DatasetColumn[],
  rows: readonly (readonly Cell[])[],
  options: { readonly features: readonly string[]; readonly label: LabelExpression; readonly task: TrainingTask },
): TrainingSet {
  const featureNames = inputColumnsOf(options.features, columns);
  if (featureNames.length === 0) throw new TrainingSetError('DATASET_BUILD_FAILED', 'the training set has no feature columns');
  const timestampIndex = columns.findIndex((column) => column.role === 'timestamp');
  if (timestampIndex < 0) throw new TrainingSetError('DATASET_BUILD_FAILED', 'the snapshot has no timestamp column');
  const readers = featureNames.map((name) => readerOf(name, columns));
  const labelIndex = columns.findIndex((column) => column.name === options.label.field && column.role === 'extra');
  if (labelIndex < 0) throw new TrainingSetError('DATASET_BUILD_FAILED', `the snapshot has no label column "${options.label.field}"`);

  const labels: (number | string | boolean)[] = [];
  const kept: number[] = [];
  rows.forEach((row, index) => {
    const label = labelValueOf(options.label, row[labelIndex] ?? null);
    if (label === null) return;
    labels.push(label);
    kept.push(index);
  });
  if (kept.length === 0) throw new TrainingSetError('DATASET_EMPTY', rows.length === 0 ? 'the training set has no rows' : `all ${rows.length} rows have a null label`);

  const cols = featureNames.length;
  const values = new Float64Array(kept.length * cols);
  const timestamps = new Float64Array(kept.length);
  kept.forEach((rowIndex, i) => {
    const row = rows[rowIndex] as readonly Cell[];
    const timestamp = Number(row[timestampIndex]);
    timestamps[i] = timestamp;
    for (let c = 0; c < cols; c += 1) values[i * cols + c] = (readers[c] as ColumnReader)(row, timestamp);
  });
  const { y, classes } = encodeLabels(labels, options.task, options.label.field);
  return { featureNames, x: { rows: kept.length, cols, values }, y, timestamps, ...(classes === undefined ? {} : { classes }), droppedRows: rows.length - kept.length };
}

function readerOf(name: string, columns: readonly DatasetColumn[]): ColumnReader {
  const index = columns.findIndex((column) => column.name === name && (column.role === 'feature' || column.role === 'extra'));
  if (index < 0) {
    if (name === 'hour_of_day') return (_row, timestamp) => new Date(timestamp).getUTCHours();
    if (name === 'day_of_week') return (_row, timestamp) => new Date(timestamp).getUTCDay();
    throw new TrainingSetError('DATASET_BUILD_FAILED', `the snapshot has no column "${name}"`);
  }
  const column = columns[index] as DatasetColumn;
  if (column.type === 'STRING' || column.type === 'TIMESTAMP') {
    throw new TrainingSetError('DATASET_BUILD_FAILED', `feature "${name}" is ${column.type}; the built-in trainers take DOUBLE, INT64 and BOOL features`);
  }
  return (row) => {
    const cell = row[index];
    if (cell === null || cell === undefined) return Number.NaN;
    return typeof cell === 'boolean' ? Number(cell) : Number(cell);
  };
}

function encodeLabels(labels: readonly (number | string | boolean)[], task: TrainingTask, field: string): { y: Float64Array; classes?: string[] } {
  const y = new Float64Array(labels.length);
  if (task === 'multiclass') {
    const classes = [...new Set(labels.map(String))].sort();
    if (classes.length < 2) throw new TrainingSetError('LABEL_INVALID', `label "${field}" has ${classes.length} distinct value(s); multiclass needs at least 2`);
    const indexOf = new Map(classes.map((name, index) => [name, index]));
    labels.forEach((label, i) => (y[i] = indexOf.get(String(label)) as number));
    return { y, classes };
  }
  labels.forEach((label, i) => {
    const value = typeof label === 'boolean' ? Number(label) : typeof label === 'number' ? label : Number.NaN;
    if (!Number.isFinite(value)) throw new TrainingSetError('LABEL_INVALID', `label "${field}" of row ${i} is ${JSON.stringify(label)}; ${task} needs numbers`);
    if (task === 'binary' && value !== 0 && value !== 1) throw new TrainingSetError('LABEL_INVALID', `label "${field}" of row ${i} is ${value}; binary classification needs BOOL or 0/1 (or a comparison such as "${field} > 15")`);
    y[i] = value;
  });
  return { y };
}
