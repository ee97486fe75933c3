import { UnauthenticatedError } from '../errors/service-errors';
import { BearerTokens, hashToken } from './bearer-tokens';

describe(BearerTokens.name, () => {
  const tokens = new BearerTokens(`ci-bot:ci:${hashToken('ci-secret')}, ops:admin:${hashToken('admin-secret')},`, { variable: 'SOME_TOKENS', roles: ['ci', 'admin'] as const });

  it('knows the holder of each configured token', () => {
    expect(tokens.size).toBe(2);
    expect(tokens.authenticate('admin-secret')).toEqual({ subject: 'ops', role: 'admin' });
    expect(tokens.authenticate('ci-secret')).toEqual({ subject: 'ci-bot', role: 'ci' });
  });

  it('refuses a missing or unknown token without echoing it', () => {
    expect(() => tokens.authenticate(undefined)).toThrow(new UnauthenticatedError('missing token: send "authorization: Bearer <token>"'));
    expect(() => tokens.authenticate('guess-me')).toThrow(new UnauthenticatedError('invalid token'));
    const admin = new BearerTokens('', { variable: 'X', roles: ['admin'], noun: 'admin token' });
    expect(() => admin.authenticate('guess-me')).toThrow(new UnauthenticatedError('invalid admin token'));
  });

  it('stops on a bad entry, naming the variable, the entry and what is wrong', () => {
    const roles = { variable: 'SOME_TOKENS', roles: ['ci', 'admin'] as const };
    expect(() => new BearerTokens('ops:admin', roles)).toThrow('SOME_TOKENS entry 1: expected subject:role:sha256hex');
    expect(() => new BearerTokens(`ops:root:${hashToken('x')}`, roles)).toThrow('SOME_TOKENS entry 1 (ops): role must be one of ci, admin, got "root"');
    expect(() => new BearerTokens(`a:ci:${hashToken('x')},b:ci:abc`, roles)).toThrow('SOME_TOKENS entry 2 (b): expected a sha256 hex digest of the token');
  });
});
