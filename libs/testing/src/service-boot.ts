import { createLogger } from '@strata/observability';
import { GrpcHealthProbe, loadServiceConfig, type RunningService, type ServiceDefinition, startService } from '@strata/service-runtime';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@strata/ports';
import { createTestDatabase, type TestDatabase } from './test-database';

/** Where a test service's database lives. */
export type TestEngine = 'pglite' | 'postgres';

/** A service started in this process for a test, on free ports and a fresh database. */
export interface TestService {
  readonly running: RunningService;
  readonly grpcAddress: string;
  readonly httpUrl: string;
  /** Stops the service and drops its database. */
  stop(): Promise<void>;
}

/**
 * Starts `definition` on 127.0.0.1 with free ports: on a fresh PostgreSQL database
 * (`postgres`) or on PGlite in a temporary folder (`pglite`), with `env` as the app's own
 * settings. Logs below `warn` are dropped.
 */
export async function startTestService(definition: ServiceDefinition, engine: TestEngine, env: NodeJS.ProcessEnv = {}): Promise<TestService> {
  const database: TestDatabase | undefined = engine === 'postgres' ? await createTestDatabase() : undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), `${definition.name}-`));
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const serviceEnv: NodeJS.ProcessEnv = {
    ...env,
    BIND_HOST: '127.0.0.1',
    GRPC_PORT: String(grpcPort),
    HTTP_PORT: String(httpPort),
    DATA_DIR: dataDir,
    DATABASE_URL: database?.url,
    SHUTDOWN_GRACE: '2s',
  };
  const config = loadServiceConfig(definition.name, { grpc: grpcPort, http: httpPort }, serviceEnv);
  try {
    const running = await startService(definition, config, { env: serviceEnv, logger: createLogger({ service: definition.name, level: 'warn' }) });
    return {
      running,
      grpcAddress: `127.0.0.1:${grpcPort}`,
      httpUrl: `http://127.0.0.1:${httpPort}`,
      stop: async () => {
        await running.close('test finished');
        await database?.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The start-up contract every service keeps, as a Jest suite: on PGlite and on PostgreSQL it
 * migrates, serves grpc.health.v1 (SERVING for the server and each of its contract services),
 * answers /healthz, /readyz and /metrics, and after close() no longer accepts calls.
 */
export function describeServiceBoot(definition: ServiceDefinition): void {
  describe(`${definition.name} start-up`, () => {
    describe.each<TestEngine>(['pglite', 'postgres'])('on %s', (engine) => {
      let service: TestService;
      let probe: GrpcHealthProbe;

      beforeAll(async () => {
        service = await startTestService(definition, engine);
        probe = new GrpcHealthProbe(service.grpcAddress);
      }, 60_000);

      afterAll(async () => {
        probe?.close();
        await service?.stop();
      });

      it('reports SERVING for the whole server and each contract service', async () => {
        expect(await probe.check('')).toBe('SERVING');
        for (const pkg of definition.grpcPackages) {
          for (const name of pkg.services) expect(await probe.check(`${pkg.package}.${name}`)).toBe('SERVING');
        }
        expect(await probe.check('strata.nothing.v1.Nothing')).toBe('SERVICE_UNKNOWN');
      });

      it('answers liveness, readiness and metrics over HTTP', async () => {
        expect((await fetch(`${service.httpUrl}/healthz`)).status).toBe(200);
        const ready = await fetch(`${service.httpUrl}/readyz`);
        expect(ready.status).toBe(200);
        const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
        expect(metrics).toContain(`service="${definition.name}"`);
      });

      it('uses the database it was given', () => {
        expect(service.running.database.kind).toBe(engine);
      });

      it('stops serving after close', async () => {
        await service.running.close('test');
        expect(await probe.check('', 300)).toBe('UNREACHABLE');
        await expect(fetch(`${service.httpUrl}/healthz`)).rejects.toThrow();
      });
    });
  });
}
