import { execFile } from 'node:child_process';
import path from 'node:path';

/** One object's verdict from validate-manifests.mjs. */
export interface SchemaResult {
  index: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** Every schema violation ("data/spec must have required property selector"); empty when valid. */
  errors: string[];
}

const validator = path.join(__dirname, 'validate-manifests.mjs');

/**
 * Validates rendered YAML files against the Kubernetes API schemas (kubernetes-models and the
 * prometheus-operator models) in a child Node process, since those packages are ES modules only.
 * Returns the results per file.
 */
export function validateRenderedFiles(files: readonly string[]): Promise<Record<string, SchemaResult[]>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [validator, ...files], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`${path.basename(validator)} failed (${error.code ?? error.message}):\n${stderr.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as Record<string, SchemaResult[]>);
      } catch {
        reject(new Error(`${path.basename(validator)} printed no JSON report:\n${stdout.slice(0, 2000)}\n${stderr.trim()}`));
      }
    });
  });
}
