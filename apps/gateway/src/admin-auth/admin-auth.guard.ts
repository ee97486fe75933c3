import type { Metadata } from '@grpc/grpc-js';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { type AdminCaller, AdminTokenRegistry } from './admin-token-registry';

const callers = new WeakMap<Metadata, AdminCaller>();

/** Reads the bearer token of a call's metadata (`authorization: Bearer <token>`). */
export function bearerTokenOf(metadata: Metadata): string | undefined {
  const [value] = metadata.get('authorization');
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  return match?.[1];
}

/** The admin the guard authenticated for this call (handlers behind AdminAuthGuard only). */
export function adminCallerOf(metadata: Metadata): AdminCaller {
  const caller = callers.get(metadata);
  if (caller === undefined) throw new Error('adminCallerOf() used on a handler without AdminAuthGuard');
  return caller;
}

/**
 * Lets through gRPC calls with an admin token: UNAUTHENTICATED without a valid token,
 * PERMISSION_DENIED for a token whose role is not `admin`. Use on admin controllers with
 * `@UseGuards(AdminAuthGuard)`.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(@Inject(AdminTokenRegistry) private readonly tokens: AdminTokenRegistry) {}

  canActivate(context: ExecutionContext): boolean {
    const metadata = context.switchToRpc().getContext<Metadata>();
    callers.set(metadata, this.tokens.requireAdmin(bearerTokenOf(metadata)));
    return true;
  }
}
