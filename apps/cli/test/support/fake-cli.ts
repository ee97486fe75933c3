import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import type { registryV1 } from '@strata/contracts';
import type { CliDeps, CliIo, Terminal } from '../../src/context';
import type { ConnectionOptions, RegistryApi } from '../../src/registry-client';

/** A Terminal that keeps what was written. */
export class RecordingTerminal implements Terminal {
  text = '';
  constructor(readonly isTTY = false) {}
  write(text: string): void {
    this.text += text;
  }
}

/** A gRPC error as @grpc/grpc-js reports it, optionally with a grpc-status-details-bin trailer. */
export function grpcError(code: status, details: string, statusDetails?: Buffer): ServiceError {
  const metadata = new Metadata();
  if (statusDetails !== undefined) metadata.set('grpc-status-details-bin', statusDetails);
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata });
}

/** A RegistryApi whose every RPC fails with UNIMPLEMENTED unless overridden. */
export function fakeRegistry(overrides: Partial<RegistryApi> = {}): RegistryApi {
  const unimplemented = (name: string) => () => Promise.reject(grpcError(status.UNIMPLEMENTED, `${name} is not faked`));
  const methods = [
    'createModel', 'getModel', 'listModels', 'getVersion', 'listVersions', 'addEvidence', 'setVersionStatus', 'approveVersion', 'setAlias',
    'rollbackAlias', 'getAlias', 'listAliases', 'setGatePolicy', 'getGatePolicy', 'setTrafficPolicy', 'getTrafficPolicy', 'getAuditLog', 'registerVersion',
  ] as const;
  const base = Object.fromEntries(methods.map((name) => [name, unimplemented(name)])) as unknown as RegistryApi;
  return {
    ...base,
    downloadArtifact: () => {
      throw grpcError(status.UNIMPLEMENTED, 'downloadArtifact is not faked');
    },
    watchReleases: () => {
      throw grpcError(status.UNIMPLEMENTED, 'watchReleases is not faked');
    },
    close: () => undefined,
    ...overrides,
  };
}

/** Everything a fake run of `strata` produced. */
export interface FakeCli {
  readonly deps: CliDeps;
  readonly stdout: RecordingTerminal;
  readonly stderr: RecordingTerminal;
  /** Connection options of every connect() call. */
  readonly connections: ConnectionOptions[];
  /** Fires the SIGINT handlers registered through io.onInterrupt. */
  interrupt(): void;
}

export function fakeCli(registry: RegistryApi, options: { env?: NodeJS.ProcessEnv; stdin?: string; stderrIsTTY?: boolean } = {}): FakeCli {
  const stdout = new RecordingTerminal();
  const stderr = new RecordingTerminal(options.stderrIsTTY ?? false);
  const handlers = new Set<() => void>();
  const connections: ConnectionOptions[] = [];
  const io: CliIo = {
    stdout,
    stderr,
    stdin: (async function* () {
      if (options.stdin !== undefined) yield Buffer.from(options.stdin);
    })(),
    env: options.env ?? {},
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
  return {
    deps: {
      io,
      connect: (connection) => {
        connections.push(connection);
        return registry;
      },
    },
    stdout,
    stderr,
    connections,
    interrupt: () => handlers.forEach((handler) => handler()),
  };
}

/** A ModelVersion as proto-loader delivers it (every scalar, list and map present). */
export function aModelVersion(overrides: Partial<registryV1.ModelVersion> = {}): registryV1.ModelVersion {
  return {
    modelName: 'm',
    version: 1,
    status: 'VERSION_STATUS_ACTIVE' as registryV1.VersionStatus,
    artifact: { format: 'ARTIFACT_FORMAT_ONNX' as registryV1.ArtifactFormat, sha256: 'ab'.repeat(32), sizeBytes: '1234' },
    signature: { inputs: [{ name: 'input', datatype: 'TENSOR_DATA_TYPE_FP32' as never, shape: ['-1', '3'] }], outputs: [] },
    declaredSignature: null,
    inputBindings: [],
    metrics: { auc: 0.8 },
    params: {},
    lineage: null,
    tags: {},
    description: '',
    aliases: [],
    aliasHistory: [],
    evidence: [],
    createdBy: 'ci-bot',
    createdAt: { seconds: '1795000000', nanos: 0 },
    ...overrides,
  };
}
