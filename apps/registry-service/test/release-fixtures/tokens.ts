import { hashToken } from '../../src/auth/token-registry';
import { TOKENS } from '../fixtures/registry-harness';

/** The harness's tokens (ci-bot: ci, release-admin: admin) plus a second admin, for approvals by distinct people. */
export const RELEASE_TOKENS = { ...TOKENS, secondAdmin: 'second-admin-token-for-tests' } as const;

/** REGISTRY_TOKENS for {@link RELEASE_TOKENS}. */
export const RELEASE_REGISTRY_TOKENS = [
  `ci-bot:ci:${hashToken(TOKENS.ci)}`,
  `release-admin:admin:${hashToken(TOKENS.admin)}`,
  `second-admin:admin:${hashToken(RELEASE_TOKENS.secondAdmin)}`,
].join(',');
