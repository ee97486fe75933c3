import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthenticatedError } from '../errors/service-errors';

/** Who a bearer token belongs to. */
export interface TokenHolder<R extends string = string> {
  readonly subject: string;
  readonly role: R;
}

interface TokenEntry<R extends string> extends TokenHolder<R> {
  readonly hash: Buffer;
}

/** SHA-256 (hex) of a token: the form `subject:role:sha256hex` token lists store it in. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** How one service names its tokens in messages and which roles it knows. */
export interface BearerTokenOptions<R extends string> {
  /** The variable the list comes from, e.g. `REGISTRY_TOKENS` (named in configuration errors). */
  readonly variable: string;
  /** Accepted roles. */
  readonly roles: readonly R[];
  /** What the token is called in answers, e.g. `token` or `admin token`. */
  readonly noun?: string;
}

/**
 * The bearer tokens a service accepts, stored only as SHA-256 hashes, from a list
 * `subject:role:sha256hex,...` (made with `strata tokens hash --subject <s> --role <r>`). A bad
 * entry stops the service with a message naming the variable and the entry; a token is never
 * part of a message or log.
 */
export class BearerTokens<R extends string> {
  private readonly entries: readonly TokenEntry<R>[];
  private readonly noun: string;

  constructor(spec: string, options: BearerTokenOptions<R>) {
    const { variable, roles } = options;
    this.noun = options.noun ?? 'token';
    this.entries = spec
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map((entry, index) => {
        const parts = entry.split(':');
        const [subject, role, hash] = parts;
        if (parts.length !== 3 || subject === undefined || subject === '' || role === undefined || hash === undefined) {
          throw new Error(`${variable} entry ${index + 1}: expected subject:role:sha256hex`);
        }
        if (!roles.includes(role as R)) throw new Error(`${variable} entry ${index + 1} (${subject}): role must be one of ${roles.join(', ')}, got "${role}"`);
        if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`${variable} entry ${index + 1} (${subject}): expected a sha256 hex digest of the token`);
        return { subject, role: role as R, hash: Buffer.from(hash, 'hex') };
      });
  }

  /** Number of configured tokens. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * The holder of a bearer token.
   *
   * @throws UnauthenticatedError when the token is missing or unknown.
   */
  authenticate(bearerToken: string | undefined): TokenHolder<R> {
    if (bearerToken === undefined || bearerToken === '') throw new UnauthenticatedError(`missing ${this.noun}: send "authorization: Bearer <token>"`);
    const hash = createHash('sha256').update(bearerToken, 'utf8').digest();
    // Compare against every entry so the time taken does not tell which one matched.
    let match: TokenEntry<R> | undefined;
    for (const entry of this.entries) if (timingSafeEqual(entry.hash, hash) && match === undefined) match = entry;
    if (match === undefined) throw new UnauthenticatedError(`invalid ${this.noun}`);
    return { subject: match.subject, role: match.role };
  }
}
