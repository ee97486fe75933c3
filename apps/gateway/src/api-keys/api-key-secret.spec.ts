import { generateSecret, hashesEqual, hashSecret, prefixOf } from './api-key-secret';

describe('API key secrets', () => {
  it('makes sk_<8 hex>_<43 base64url> keys whose prefix finds them', () => {
    const { secret, prefix, hash } = generateSecret((size) => Buffer.alloc(size, 0xab));

    expect(prefix).toBe('sk_abababab');
    expect(secret).toMatch(/^sk_abababab_[A-Za-z0-9_-]{43}$/);
    expect(prefixOf(secret)).toBe(prefix);
    expect(hash).toBe(hashSecret(secret));
  });

  it('finds no prefix in malformed keys', () => {
    for (const presented of ['', 'sk_abababab', 'sk_ABABABAB_' + 'a'.repeat(43), 'sk_abababab_' + 'a'.repeat(42), ` sk_abababab_${'a'.repeat(43)}`]) {
      expect(prefixOf(presented)).toBeUndefined();
    }
  });

  it('compares digests, and never matches a malformed one', () => {
    expect(hashesEqual(hashSecret('a'), hashSecret('a'))).toBe(true);
    expect(hashesEqual(hashSecret('a'), hashSecret('b'))).toBe(false);
    expect(hashesEqual(hashSecret('a'), 'not-hex')).toBe(false);
  });
});
