import { aLinearModelBytes, sha256Of } from './model-runtime.fixtures';
import { checkModelBytes } from './model-check';

describe('checkModelBytes', () => {
  it('hashes and inspects the bytes on its thread when they have the expected sha256', async () => {
    const bytes = aLinearModelBytes();
    const check = await checkModelBytes(bytes, sha256Of(bytes));
    expect(check).toMatchObject({ outcome: 'inspected', sha256: sha256Of(bytes) });
    expect(check.outcome === 'inspected' ? check.info.inputs.map((spec) => spec.name) : []).toEqual(['features']);
  });

  it('does not inspect bytes whose sha256 is not the expected one', async () => {
    const bytes = aLinearModelBytes();
    expect(await checkModelBytes(bytes, '0'.repeat(64))).toEqual({ outcome: 'digest-mismatch', sha256: sha256Of(bytes) });
  });

  it('reports bytes that are not an ONNX model as invalid', async () => {
    const bytes = new TextEncoder().encode('not a model');
    const check = await checkModelBytes(bytes, sha256Of(bytes));
    expect(check).toMatchObject({ outcome: 'invalid', message: expect.stringMatching(/^invalid ONNX model/) });
  });

  it('answers concurrent checks each with its own result, and leaves the caller\'s bytes usable', async () => {
    const models = [1, 2, 3, 4].map((bias) => aLinearModelBytes({ bias: [bias] }));
    // A view into a larger buffer, as a Buffer from Node's pool is: only its own bytes are checked.
    const padded = new Uint8Array(models[0]!.byteLength + 16);
    padded.set(models[0]!, 8);
    const view = padded.subarray(8, 8 + models[0]!.byteLength);
    const checks = await Promise.all([...models, view].map((bytes) => checkModelBytes(bytes, sha256Of(bytes))));
    expect(checks.map((check) => check.outcome)).toEqual(['inspected', 'inspected', 'inspected', 'inspected', 'inspected']);
    expect(checks.map((check) => check.sha256)).toEqual([...models.map(sha256Of), sha256Of(models[0]!)]);
    expect(view.byteLength).toBe(models[0]!.byteLength);
    expect(sha256Of(view)).toBe(sha256Of(models[0]!));
  });
});
