import { PermissionDeniedError, UnauthenticatedError } from '@strata/service-runtime';
import { createHash, timingSafeEqual } from 'node:crypto';

/** The role ApiKeyAdminService requires. */
export const ADMIN_ROLE = 'admin';

/** Who is calling an admin RPC: the token's subject and role. */
export interface AdminCaller {
  readonly subject: string;
  readonly role: string;
}

interface TokenEntry extends AdminCaller {
  readonly hash: Buffer;
}

/**
 * The admin tokens of the gateway, stored only as SHA-256 hashes. Built from
 * GATEWAY_ADMIN_TOKENS (`subject:role:sha256hex,...`, the format of the registry's
 * REGISTRY_TOKENS, made with `strata tokens hash --subject <s> --role admin`); a bad entry
 * stops the service with a message naming it.
 */
export class AdminTokenRegistry {
  private readonly entries: readonly TokenEntry[];

  constructor(spec: string) {
    this.entries = spec
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map((entry, index) => {
        const parts = entry.split(':');
        const [subject, role, hash] = parts;
        if (parts.length !== 3 || subject === undefined || subject === '' || role === undefined || hash === undefined) {
          throw new Error(`GATEWAY_ADMIN_TOKENS entry ${index + 1}: expected subject:role:sha256hex`);
        }
        if (!/^[a-z][a-z0-9_-]*$/.test(role)) throw new Error(`GATEWAY_ADMIN_TOKENS entry ${index + 1} (${subject}): role must be a lowercase word such as admin, got "${role}"`);
        if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`GATEWAY_ADMIN_TOKENS entry ${index + 1} (${subject}): expected a sha256 hex digest of the token`);
        return { subject, role, hash: Buffer.from(hash, 'hex') };
      });
  }

  /** Number of configured tokens. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * The caller a bearer token belongs to. UnauthenticatedError when the token is missing or
   * unknown; the token itself never appears in a message or log.
   */
  authenticate(bearerToken: string | undefined): AdminCaller {
    if (bearerToken === undefined || bearerToken === '') throw new UnauthenticatedError('missing admin token: send "authorization: Bearer <token>"');
    const hash = createHash('sha256').update(bearerToken, 'utf8').digest();
    // Compare against every entry so the time taken does not tell which one matched.
    let match: TokenEntry | undefined;
    for (const entry of this.entries) if (timingSafeEqual(entry.hash, hash) && match === undefined) match = entry;
    if (match === undefined) throw new UnauthenticatedError('invalid admin token');
    return { subject: match.subject, role: match.role };
  }

  /** The caller when it has role `admin`; UNAUTHENTICATED or PERMISSION_DENIED otherwise. */
  requireAdmin(bearerToken: string | undefined): AdminCaller {
    const caller = this.authenticate(bearerToken);
    if (caller.role !== ADMIN_ROLE) throw new PermissionDeniedError(`${caller.subject} (role ${caller.role}) may not administer API keys; needs ${ADMIN_ROLE}`);
    return caller;
  }
}
