import { jobStateOf } from './kubernetes-jobs-api';

describe(jobStateOf.name, () => {
  it('is pending when the Job has no status yet', () => {
    expect(jobStateOf({})).toEqual({ phase: 'pending' });
  });

  it('is running when a pod is active', () => {
    expect(jobStateOf({ status: { active: 1 } })).toEqual({ phase: 'running' });
  });

  it('is succeeded when the Complete condition is true', () => {
    expect(jobStateOf({ status: { succeeded: 1, conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] } })).toEqual({ phase: 'succeeded' });
  });

  it('is failed with the reason when the Failed condition is true', () => {
    const status = { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }] };
    expect(jobStateOf({ status })).toEqual({ phase: 'failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
  });

  it('ignores conditions that are not true', () => {
    expect(jobStateOf({ status: { active: 1, conditions: [{ type: 'Failed', status: 'False' }] } })).toEqual({ phase: 'running' });
  });

  it('falls back to the pod counts when no condition is set yet', () => {
    expect(jobStateOf({ status: { failed: 1 } })).toEqual({ phase: 'failed' });
    expect(jobStateOf({ status: { succeeded: 1 } })).toEqual({ phase: 'succeeded' });
  });
});
