import { BearerTokens } from '@strata/service-runtime';
import { type Caller, type Role, ROLES } from './caller';

export { hashToken } from '@strata/service-runtime';

/**
 * The registry's tokens (REGISTRY_TOKENS, `subject:role:sha256hex,...`, roles ci and admin),
 * stored only as SHA-256 hashes; a bad entry stops the service with a message naming it.
 */
export class TokenRegistry {
  private readonly tokens: BearerTokens<Role>;

  constructor(spec: string) {
    this.tokens = new BearerTokens(spec, { variable: 'REGISTRY_TOKENS', roles: ROLES });
  }

  /** Number of configured tokens. */
  get size(): number {
    return this.tokens.size;
  }

  /** The caller a bearer token belongs to; UnauthenticatedError when missing or unknown. */
  authenticate(bearerToken: string | undefined): Caller {
    return this.tokens.authenticate(bearerToken);
  }
}
