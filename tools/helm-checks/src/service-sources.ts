import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { workspaceRoot } from './helm-binary';

// What the services' own code says about themselves, read from their sources as text (this
// project may not import apps): the environment variables their config schemas read, their
// default ports and their Dockerfiles. The charts must follow these.

/** Variables set for the container that no Strata config schema reads, on purpose. */
export const RUNTIME_VARIABLES = [
  'TMPDIR', // Node's os.tmpdir()
  'NODE_ENV',
  'POD_NAME', // downward API, used in OTEL_RESOURCE_ATTRIBUTES
  'POD_NAMESPACE',
  'OTEL_RESOURCE_ATTRIBUTES', // read by the OpenTelemetry SDK itself
] as const;

/** `NAME: env.` keys of a config schema file. */
function schemaVariables(file: string): string[] {
  return [...readFileSync(path.join(workspaceRoot, file), 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]*): env\./gm)].flatMap((match) => (match[1] === undefined ? [] : [match[1]]));
}

/** Every variable `service` reads: the common service config, telemetry and its own config schemas. */
export function variablesReadBy(service: string): Set<string> {
  const own = readdirSync(path.join(workspaceRoot, 'apps', service, 'src/config')).filter((file) => file.endsWith('.config.ts'));
  return new Set([
    ...schemaVariables('libs/service-runtime/src/service-config.ts'),
    ...schemaVariables('libs/observability/src/telemetry-env.ts'),
    ...own.flatMap((file) => schemaVariables(path.join('apps', service, 'src/config', file))),
  ]);
}

/** DEFAULT_PORTS of apps/<service>/src/bootstrap.ts. */
export function defaultPortsOf(service: string): { grpc: number; http: number } {
  const text = readFileSync(path.join(workspaceRoot, 'apps', service, 'src/bootstrap.ts'), 'utf8');
  const match = /DEFAULT_PORTS[^=]*=\s*\{\s*grpc:\s*(\d+),\s*http:\s*(\d+)\s*\}/.exec(text);
  if (match === null) throw new Error(`apps/${service}/src/bootstrap.ts: no DEFAULT_PORTS = { grpc, http }`);
  return { grpc: Number(match[1]), http: Number(match[2]) };
}

/** The EXPOSEd ports and the CMD of apps/<service>/Dockerfile. */
export function dockerfileOf(service: string): { expose: number[]; cmd: string[] } {
  const text = readFileSync(path.join(workspaceRoot, 'apps', service, 'Dockerfile'), 'utf8');
  const expose = /^EXPOSE\s+(.+)$/m.exec(text)?.[1]?.trim().split(/\s+/).map(Number) ?? [];
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(text)?.[1];
  return { expose, cmd: cmd === undefined ? [] : (JSON.parse(cmd) as string[]) };
}
