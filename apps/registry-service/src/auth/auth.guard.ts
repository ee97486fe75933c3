import type { Metadata } from '@grpc/grpc-js';
import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PermissionDeniedError } from '@strata/service-runtime';
import { type Caller, type Role } from './caller';
import { TokenRegistry } from './token-registry';

const REQUIRED_ROLES = 'registry:required-roles';
const callers = new WeakMap<Metadata, Caller>();

/** Marks a gRPC handler as mutating: the caller needs a token with one of `roles`. */
export const RequireRoles = (...roles: Role[]): MethodDecorator => SetMetadata(REQUIRED_ROLES, roles);

/** Reads the bearer token of a call's metadata (`authorization: Bearer <token>`). */
export function bearerTokenOf(metadata: Metadata): string | undefined {
  const [value] = metadata.get('authorization');
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  return match?.[1];
}

/** The caller the guard authenticated for this call (handlers marked with RequireRoles only). */
export function callerOf(metadata: Metadata): Caller {
  const caller = callers.get(metadata);
  if (caller === undefined) throw new Error('callerOf() used on a handler without @RequireRoles');
  return caller;
}

/**
 * Authenticates and authorizes mutating calls: UNAUTHENTICATED without a valid token,
 * PERMISSION_DENIED when the token's role is not allowed. Read calls pass untouched.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenRegistry) private readonly tokens: TokenRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.get<Role[] | undefined>(REQUIRED_ROLES, context.getHandler());
    if (roles === undefined) return true;
    const metadata = context.switchToRpc().getContext<Metadata>();
    const caller = this.tokens.authenticate(bearerTokenOf(metadata));
    if (!roles.includes(caller.role)) {
      throw new PermissionDeniedError(`${caller.subject} (role ${caller.role}) may not do this; needs ${roles.join(' or ')}`);
    }
    callers.set(metadata, caller);
    return true;
  }
}
