import { acceptRequestId, newRequestId } from './request-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('acceptRequestId', () => {
  it.each(['a', 'req-123_ABC.x:y/z', '~'.repeat(128), '0190a7b2-5c3d-7e4f-8a1b-2c3d4e5f6a7b'])('accepts %p', (value) => {
    expect(acceptRequestId(value)).toEqual({ id: value });
  });

  it('assigns a UUIDv7 when the header is absent', () => {
    const result = acceptRequestId(undefined);
    expect('id' in result && UUID_V7.test(result.id)).toBe(true);
  });

  it('accepts a header given once as an array', () => {
    expect(acceptRequestId(['abc'])).toEqual({ id: 'abc' });
  });

  it.each([
    ['', 'is empty'],
    ['x'.repeat(129), 'has 129 characters'],
    ['has space', 'character 3 is not printable ASCII'],
    ['tab\there', 'character 3'],
    ['caf\u00e9', 'character 3'],
    ['line\nbreak', 'character 4'],
  ])('refuses %p', (value, reason) => {
    const result = acceptRequestId(value);
    expect('invalid' in result && result.invalid).toContain(reason);
  });

  it('refuses a header sent twice', () => {
    expect(acceptRequestId(['a', 'b'])).toEqual({ invalid: expect.stringContaining('sent 2 times') });
  });
});

describe('newRequestId', () => {
  it('is a UUIDv7 carrying the time in its first 48 bits', () => {
    const id = newRequestId(0x0190_a7b2_5c3d, (bytes) => bytes.fill(0xff));
    expect(id).toBe('0190a7b2-5c3d-7fff-bfff-ffffffffffff');
  });

  it('sorts by time and differs between calls', () => {
    const ids = [newRequestId(1_000), newRequestId(2_000), newRequestId(2_000)];
    expect(ids.every((id) => UUID_V7.test(id))).toBe(true);
    expect(ids[0] < ids[1]).toBe(true);
    expect(ids[1]).not.toBe(ids[2]);
  });
});
