import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// `sk_<8 hex>_<43 base64url>`: the prefix finds the row, the 32 random bytes are the secret.
const KEY_FORMAT = /^(sk_[0-9a-f]{8})_[A-Za-z0-9_-]{43}$/;

/** Random bytes, injectable so tests can make predictable secrets. */
export type RandomBytes = (size: number) => Buffer;

/** A fresh secret and the parts of it that are stored. */
export interface GeneratedSecret {
  readonly secret: string;
  readonly prefix: string;
  /** SHA-256 (hex) of the whole secret. */
  readonly hash: string;
}

/** Makes a new API key secret: `sk_<8 hex prefix>_<32 random bytes, base64url>`. */
export function generateSecret(random: RandomBytes = randomBytes): GeneratedSecret {
  const prefix = `sk_${random(4).toString('hex')}`;
  const secret = `${prefix}_${random(32).toString('base64url')}`;
  return { secret, prefix, hash: hashSecret(secret) };
}

/** SHA-256 (hex) of a presented key: the only form in which a key is stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The prefix of a well-formed key, or undefined for anything else (no lookup is worth making). */
export function prefixOf(presented: string): string | undefined {
  return KEY_FORMAT.exec(presented)?.[1];
}

/** Compares two SHA-256 hex digests in constant time. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === 32 && right.length === 32 && timingSafeEqual(left, right);
}
