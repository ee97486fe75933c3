import { createLogger } from '@strata/observability';
import { loadServiceConfig, type RunningService, startService } from '@strata/service-runtime';
import { createTestDatabase, freePort, type TestDatabase, type TestEngine } from '@strata/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { registryService } from '../../src/bootstrap';
import { PrismaClient } from '../../src/generated/prisma/client';
import { RegistryTestClient } from '../fixtures/registry-client';
import { TOKENS } from '../fixtures/registry-harness';
import { ReleaseTestClient } from './release-client';
import { RELEASE_REGISTRY_TOKENS } from './tokens';

/** A registry-service that can be stopped and started again on the same database and ports. */
export interface RestartableRegistry {
  readonly address: string;
  /** RegistryTestClient and ReleaseTestClient with the ci token; their channels reconnect after a restart. */
  readonly ci: RegistryTestClient;
  readonly release: ReleaseTestClient;
  /** The running instance's Prisma client (a new one after each restart). */
  prisma(): PrismaClient;
  /** Drains and stops the service (SHUTDOWN_GRACE 1 s, then open streams are cut), then starts it again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts registry-service in this process on `engine` with a data folder and database that
 * survive restarts (PGlite files in a temporary folder, or a fresh PostgreSQL database), on
 * fixed free ports so clients reconnect to the same address.
 */
export async function startRestartableRegistry(engine: TestEngine): Promise<RestartableRegistry> {
  const database: TestDatabase | undefined = engine === 'postgres' ? await createTestDatabase() : undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'registry-restart-'));
  const ports = { grpc: await freePort(), http: await freePort() };
  const env: NodeJS.ProcessEnv = {
    REGISTRY_TOKENS: RELEASE_REGISTRY_TOKENS,
    ARTIFACT_DIR: path.join(dataDir, 'artifacts'),
    BIND_HOST: '127.0.0.1',
    GRPC_PORT: String(ports.grpc),
    HTTP_PORT: String(ports.http),
    DATA_DIR: dataDir,
    DATABASE_URL: database?.url,
    SHUTDOWN_GRACE: '1s',
  };
  const start = (): Promise<RunningService> =>
    startService(registryService, loadServiceConfig(registryService.name, ports, env), { env, logger: createLogger({ service: registryService.name, level: 'warn' }) });
  let running = await start();
  const address = `127.0.0.1:${ports.grpc}`;
  const registryClient = new RegistryTestClient(address);
  const releaseClient = new ReleaseTestClient(address);
  return {
    address,
    ci: registryClient.as(TOKENS.ci),
    release: releaseClient.as(TOKENS.ci),
    prisma: () => running.app.get(PrismaClient),
    restart: async () => {
      await running.close('test restart');
      running = await start();
    },
    stop: async () => {
      registryClient.close();
      releaseClient.close();
      await running.close('test finished');
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
