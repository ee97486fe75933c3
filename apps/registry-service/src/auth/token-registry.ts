import { UnauthenticatedError } from '@strata/service-runtime';
import { createHash, timingSafeEqual } from 'node:crypto';
import { type Caller, type Role, ROLES } from './caller';

interface TokenEntry extends Caller {
  readonly hash: Buffer;
}

/** SHA-256 (hex) of a token, the form REGISTRY_TOKENS stores it in. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The known tokens, stored only as SHA-256 hashes. Built from REGISTRY_TOKENS
 * (`subject:role:sha256hex,...`); a bad entry stops the service with a message naming it.
 */
export class TokenRegistry {
  private readonly entries: readonly TokenEntry[];

  constructor(spec: string) {
    this.entries = spec
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map((entry, index) => {
        const [subject, role, hash] = entry.split(':');
        if (subject === undefined || subject === '' || role === undefined || hash === undefined) {
          throw new Error(`REGISTRY_TOKENS entry ${index + 1}: expected subject:role:sha256hex`);
        }
        if (!ROLES.includes(role as Role)) throw new Error(`REGISTRY_TOKENS entry ${index + 1} (${subject}): role must be one of ${ROLES.join(', ')}, got "${role}"`);
        if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`REGISTRY_TOKENS entry ${index + 1} (${subject}): expected a sha256 hex digest of the token`);
        return { subject, role: role as Role, hash: Buffer.from(hash, 'hex') };
      });
  }

  /** Number of configured tokens. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * The caller a bearer token belongs to. Throws UnauthenticatedError when the token is
   * missing or unknown; the token itself never appears in a message or log.
   */
  authenticate(bearerToken: string | undefined): Caller {
    if (bearerToken === undefined || bearerToken === '') throw new UnauthenticatedError('missing token: send "authorization: Bearer <token>"');
    const hash = createHash('sha256').update(bearerToken, 'utf8').digest();
    const entry = this.entries.find((candidate) => timingSafeEqual(candidate.hash, hash));
    if (entry === undefined) throw new UnauthenticatedError('invalid token');
    return { subject: entry.subject, role: entry.role };
  }
}
