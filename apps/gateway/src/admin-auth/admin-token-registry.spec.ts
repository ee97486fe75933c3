import { PermissionDeniedError, UnauthenticatedError } from '@strata/service-runtime';
import { createHash } from 'node:crypto';
import { AdminTokenRegistry } from './admin-token-registry';

const sha = (token: string): string => createHash('sha256').update(token).digest('hex');

describe(AdminTokenRegistry.name, () => {
  const registry = new AdminTokenRegistry(` ops:admin:${sha('admin-secret')} , ci-bot:ci:${sha('ci-secret')},`);

  it('knows the admin behind a token and refuses other roles', () => {
    expect(registry.size).toBe(2);
    expect(registry.requireAdmin('admin-secret')).toEqual({ subject: 'ops', role: 'admin' });
    expect(() => registry.requireAdmin('ci-secret')).toThrow(PermissionDeniedError);
    expect(() => registry.requireAdmin('ci-secret')).toThrow(/ci-bot \(role ci\).*needs admin/);
  });

  it('answers UNAUTHENTICATED for a missing or unknown token, without echoing it', () => {
    expect(() => registry.requireAdmin(undefined)).toThrow(UnauthenticatedError);
    expect(() => registry.requireAdmin('')).toThrow(/missing admin token/);
    expect(() => registry.requireAdmin('guess-me')).toThrow(new UnauthenticatedError('invalid admin token'));
  });

  it('stops on a bad entry with a message naming it', () => {
    expect(() => new AdminTokenRegistry('ops:admin')).toThrow(/entry 1: expected subject:role:sha256hex/);
    expect(() => new AdminTokenRegistry(`ops:admin:${sha('x')}:extra`)).toThrow(/entry 1/);
    expect(() => new AdminTokenRegistry(`ops:Admin!:${sha('x')}`)).toThrow(/entry 1 \(ops\): role/);
    expect(() => new AdminTokenRegistry(`a:admin:${sha('x')},b:admin:abc`)).toThrow(/entry 2 \(b\): expected a sha256 hex digest/);
    expect(new AdminTokenRegistry('').size).toBe(0);
  });
});
