import { materializeParamsJson, materializeParamsOf, resumePointOf, slicesOf } from './materialization-plan';

const START = new Date('2026-01-01T00:00:00.000Z');
const END = new Date('2026-01-11T00:00:00.000Z');

describe('materialization plan', () => {
  it('round-trips job params through JSON', () => {
    const params = { featureSet: { name: 'route_stats', version: 2 }, featureSetId: 'f0f0', start: START, end: END, offlineOnly: true };
    expect(materializeParamsOf(JSON.parse(JSON.stringify(materializeParamsJson(params))) as Record<string, unknown>)).toEqual(params);
    expect(() => materializeParamsOf({ featureSet: { name: 'x' } })).toThrow('not materialize job params');
  });

  it('resumes at the checkpoint, clamped into the range, or at the start on a first run', () => {
    expect(resumePointOf(undefined, START, END)).toEqual(START);
    expect(resumePointOf({ doneUntil: '2026-01-05T00:00:00.000Z' }, START, END)).toEqual(new Date('2026-01-05T00:00:00.000Z'));
    expect(resumePointOf({ doneUntil: '2027-01-01T00:00:00.000Z' }, START, END)).toEqual(END);
    expect(resumePointOf({ doneUntil: 'garbage' }, START, END)).toEqual(START);
  });

  it('splits a range into contiguous slices sized by the event count', () => {
    const slices = slicesOf(START, END, 1_000_000, 250_000);
    expect(slices).toHaveLength(4);
    expect(slices[0]?.start).toEqual(START);
    expect(slices.at(-1)?.end).toEqual(END);
    slices.slice(1).forEach((slice, index) => expect(slice.start).toEqual(slices[index]?.end));
  });

  it('uses one slice for few events and none for an empty range', () => {
    expect(slicesOf(START, END, 10)).toEqual([{ start: START, end: END }]);
    expect(slicesOf(END, END, 10)).toEqual([]);
  });

  it('never makes a slice narrower than a second', () => {
    const end = new Date(START.getTime() + 3000);
    expect(slicesOf(START, end, 10_000_000, 1)).toHaveLength(3);
  });
});
