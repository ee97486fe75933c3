import { RecordingTerminal } from '../test/support/fake-cli';
import { createProgress, PROGRESS_THRESHOLD_BYTES } from './progress';

describe(createProgress.name, () => {
  const total = PROGRESS_THRESHOLD_BYTES * 4;

  it('stays silent for small files and when disabled', () => {
    const stderr = new RecordingTerminal(true);
    createProgress(stderr, 'uploading', PROGRESS_THRESHOLD_BYTES - 1, true).advance(10);
    createProgress(stderr, 'uploading', total, false).advance(total);
    expect(stderr.text).toBe('');
  });

  it('redraws one line in place on a terminal', () => {
    const stderr = new RecordingTerminal(true);
    let now = 0;
    const progress = createProgress(stderr, 'uploading m.onnx', total, true, () => now);
    now = 1000;
    progress.advance(total / 2);
    progress.done();
    expect(stderr.text).toContain('\ruploading m.onnx 16.0 MiB / 32.0 MiB (50%) 16.0 MiB/s\u001b[K');
    expect(stderr.text.endsWith('\n')).toBe(true);
    expect(stderr.text.split('\n')).toHaveLength(2);
  });

  it('prints a line per quarter in a CI log', () => {
    const stderr = new RecordingTerminal(false);
    const progress = createProgress(stderr, 'uploading', total, true, () => 0);
    for (let sent = 0; sent < total; sent += PROGRESS_THRESHOLD_BYTES / 2) progress.advance(PROGRESS_THRESHOLD_BYTES / 2);
    progress.done();
    expect(stderr.text.trim().split('\n').map((line) => /\((\d+)%\)/.exec(line)?.[1])).toEqual(['25', '50', '75', '100']);
  });
});
