import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localAdminToken } from './dev-token';

describe(localAdminToken.name, () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(path.join(tmpdir(), 'strata-token-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('makes a private token once per data folder and gives the registry only its hash', () => {
    const first = localAdminToken(dataDir);
    const again = localAdminToken(dataDir);
    expect(again.token).toBe(first.token);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(first.tokensEntry).toBe(`local-admin:admin:${createHash('sha256').update(first.token).digest('hex')}`);
    expect(first.tokensEntry).not.toContain(first.token);
  });
});
