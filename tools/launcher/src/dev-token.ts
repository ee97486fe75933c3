import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The local admin token `npm start` gives the registry and the gateway, and where it is kept. */
export interface DevToken {
  readonly token: string;
  readonly path: string;
  /** Its REGISTRY_TOKENS / GATEWAY_ADMIN_TOKENS entry (the services keep only the hash). */
  readonly tokensEntry: string;
}

/**
 * A random admin token for the local platform, made once per data folder and kept in
 * `<dataDir>/registry-token` (mode 0600), so the CLI can promote models on a laptop.
 */
export function localAdminToken(dataDir: string): DevToken {
  const file = path.join(dataDir, 'registry-token');
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  const token = readFileSync(file, 'utf8').trim();
  const hash = createHash('sha256').update(token, 'utf8').digest('hex');
  return { token, path: file, tokensEntry: `local-admin:admin:${hash}` };
}
