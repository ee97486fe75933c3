import { type LabeledData, type TrainingInput } from '../shared/trainer';

/**
 * Checks that the input is usable for its task: a non-empty train split, one label per row,
 * and labels of the task's kind (binary 0/1, multiclass an integer in [0, classes), regression
 * finite). Throws RangeError naming the split and the first bad row.
 */
export function checkTrainingInput(input: TrainingInput): void {
  if (input.train.x.rows === 0) throw new RangeError('the train split has no rows');
  if (input.task === 'multiclass' && !(Number.isInteger(input.classes) && (input.classes as number) >= 2)) {
    throw new RangeError(`multiclass training needs classes >= 2, got ${String(input.classes)}`);
  }
  checkSplit(input, input.train, 'train');
  if (input.validation !== undefined) checkSplit(input, input.validation, 'validation');
}

function checkSplit(input: TrainingInput, data: LabeledData, split: string): void {
  const { x, y } = data;
  if (y.length !== x.rows) throw new RangeError(`the ${split} split has ${x.rows} rows but ${y.length} labels`);
  if (x.cols !== input.featureNames.length) throw new RangeError(`the ${split} split has ${x.cols} columns, expected ${input.featureNames.length} features`);
  const valid = labelCheck(input);
  for (let row = 0; row < y.length; row += 1) {
    const label = y[row] as number;
    if (!valid(label)) throw new RangeError(`${split} row ${row}: label ${label} is not a valid ${input.task} label`);
  }
}

function labelCheck(input: TrainingInput): (label: number) => boolean {
  switch (input.task) {
    case 'binary':
      return (label) => label === 0 || label === 1;
    case 'multiclass': {
      const classes = input.classes as number;
      const isInteger = Number.isInteger;
      return (label) => isInteger(label) && label >= 0 && label < classes;
    }
    case 'regression':
      return Number.isFinite;
  }
}
