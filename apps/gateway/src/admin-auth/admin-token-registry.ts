import { BearerTokens, PermissionDeniedError } from '@strata/service-runtime';

/** The role ApiKeyAdminService requires. */
export const ADMIN_ROLE = 'admin';

/** Who is calling an admin RPC: the token's subject and role. */
export interface AdminCaller {
  readonly subject: string;
  readonly role: string;
}

/** Roles GATEWAY_ADMIN_TOKENS may carry; only `admin` may administer API keys. */
const ROLES = ['admin', 'ci', 'viewer'] as const;

/**
 * The admin tokens of the gateway, stored only as SHA-256 hashes: GATEWAY_ADMIN_TOKENS
 * (`subject:role:sha256hex,...`, the format of the registry's REGISTRY_TOKENS, made with
 * `strata tokens hash --subject <s> --role admin`); a bad entry stops the service with a
 * message naming it.
 */
export class AdminTokenRegistry {
  private readonly tokens: BearerTokens<(typeof ROLES)[number]>;

  constructor(spec: string) {
    this.tokens = new BearerTokens(spec, { variable: 'GATEWAY_ADMIN_TOKENS', roles: ROLES, noun: 'admin token' });
  }

  /** Number of configured tokens. */
  get size(): number {
    return this.tokens.size;
  }

  /** The caller a bearer token belongs to; UnauthenticatedError when missing or unknown. */
  authenticate(bearerToken: string | undefined): AdminCaller {
    return this.tokens.authenticate(bearerToken);
  }

  /** The caller when it has role `admin`; UNAUTHENTICATED or PERMISSION_DENIED otherwise. */
  requireAdmin(bearerToken: string | undefined): AdminCaller {
    const caller = this.authenticate(bearerToken);
    if (caller.role !== ADMIN_ROLE) throw new PermissionDeniedError(`${caller.subject} (role ${caller.role}) may not administer API keys; needs ${ADMIN_ROLE}`);
    return caller;
  }
}
