import { createProjectGraphAsync } from '@nx/devkit';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

// Lints snippets as if they were files of the workspace, with the real eslint.config.mjs and
// the real ESLint CLI, to prove the architecture rules refuse what they should (and only that).
const workspaceRoot = path.resolve(__dirname, '../../..');
const eslintBin = path.join(workspaceRoot, 'node_modules/eslint/bin/eslint.js');
const run = promisify(execFile);

interface LintMessage {
  ruleId: string | null;
  message: string;
}

async function importErrors(file: string, source: string): Promise<string[]> {
  const linting = run(process.execPath, [eslintBin, '--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: workspaceRoot,
    env: { ...process.env, STRATA_ESLINT_UNTYPED: '1' },
  });
  linting.child.stdin?.end(source);
  // ESLint exits 1 when it reports errors; its JSON report is on stdout either way.
  const { stdout } = await linting.catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const [result] = JSON.parse(stdout) as { messages: LintMessage[] }[];
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries' || m.ruleId === 'no-restricted-imports' || m.ruleId === null)
    .map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries', () => {
  beforeAll(async () => {
    // The Nx rule reads the cached project graph; without one it would silently skip.
    await createProjectGraphAsync({ exitOnError: true });
  }, 120_000);

  it('refuses an app importing another app', async () => {
    const errors = await importErrors(
      'apps/gateway/src/routing.ts',
      "import { inferenceService } from '../../inference-service/src/bootstrap';\nexport const b = inferenceService;\n",
    );
    expect(errors.join('\n')).toMatch(/@nx\/enforce-module-boundaries: Projects cannot be imported by a relative or absolute path/);
  });

  it('refuses a lib importing an app', async () => {
    const errors = await importErrors(
      'libs/persistence/src/leak.ts',
      "import { registryService } from '../../../apps/registry-service/src/bootstrap';\nexport const b = registryService;\n",
    );
    expect(errors.join('\n')).toMatch(/@nx\/enforce-module-boundaries: Projects cannot be imported by a relative or absolute path/);
  });

  it('refuses a shared lib importing the testing lib', async () => {
    const errors = await importErrors(
      'libs/persistence/src/leak.ts',
      "import { freePort } from '@strata/testing';\nexport const f = freePort;\n",
    );
    // persistence is also a dependency of testing, so this is refused as a cycle as well
    expect(errors.join('\n')).toMatch(/can only depend on|Circular dependency/);
  });

  it('refuses a util lib importing a lib of another kind', async () => {
    const errors = await importErrors(
      'libs/ports/src/leak.ts',
      "import { STRATA_PROTOS } from '@strata/contracts';\nexport const p = STRATA_PROTOS;\n",
    );
    expect(errors.join('\n')).toMatch(/tagged with "type:util" can only depend on libs tagged with "type:util"/);
  });

  it('refuses a deep import into a lib', async () => {
    const errors = await importErrors(
      'apps/gateway/src/deep.ts',
      "import { createTestDatabase } from '@strata/testing/src/test-database';\nexport const c = createTestDatabase;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('allows an app to import a shared lib through its entry point', async () => {
    const errors = await importErrors(
      'apps/gateway/src/ok.ts',
      "import { freePort } from '@strata/testing';\nexport const f = freePort;\n",
    );
    expect(errors).toEqual([]);
  });
});
