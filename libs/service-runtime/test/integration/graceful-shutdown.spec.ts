import { credentials, loadPackageDefinition, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createLogger } from '@strata/observability';
import { freePort } from '@strata/ports';
import { loadServiceConfig, type RunningService, startService } from '../../src';
import { GrpcHealthProbe } from '../../src/grpc-health-probe';
import { latches, SLOW_PROTO, slowService } from '../fixtures/slow-service';

type WaitClient = {
  Wait(request: { name: string }, callback: (error: ServiceError | null, response?: { name: string }) => void): void;
  close(): void;
};

function callWait(client: WaitClient, name: string): Promise<{ name: string }> {
  return new Promise((resolve, reject) => client.Wait({ name }, (error, response) => (error ? reject(error) : resolve(response ?? { name: '' }))));
}

async function start(shutdownGrace: string): Promise<{ running: RunningService; client: WaitClient; probe: GrpcHealthProbe }> {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const config = loadServiceConfig(slowService.name, { grpc: grpcPort, http: httpPort }, { BIND_HOST: '127.0.0.1', SHUTDOWN_GRACE: shutdownGrace });
  const running = await startService(slowService, config, { inMemoryDatabase: true, logger: createLogger({ service: 'runtime-test', level: 'silent' }) });
  const pkg = loadPackageDefinition(loadSync(SLOW_PROTO)) as unknown as {
    strata: { runtimetest: { v1: { SlowService: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => WaitClient } } };
  };
  const client = new pkg.strata.runtimetest.v1.SlowService(running.grpcAddress, credentials.createInsecure());
  return { running, client, probe: new GrpcHealthProbe(running.grpcAddress) };
}

describe('service shutdown', () => {
  it('lets an in-flight call finish, turns NOT_SERVING and refuses new calls while draining', async () => {
    const { running, client, probe } = await start('30s');
    try {
      const arrived = latches.arrived('first');
      const inFlight = callWait(client, 'first');
      await arrived;

      const closing = running.close('test');
      expect(await probe.check('')).not.toBe('SERVING');
      await expect(callWait(client, 'second')).rejects.toMatchObject({ code: status.UNAVAILABLE });

      latches.release('first');
      await expect(inFlight).resolves.toEqual({ name: 'first' });
      await closing;
    } finally {
      client.close();
      probe.close();
    }
  });

  it('tells long-lived calls that draining started, so they end before the grace period', async () => {
    const { running, client, probe } = await start('50s');
    try {
      const arrived = latches.arrived('until-shutdown');
      const watch = callWait(client, 'until-shutdown');
      await arrived;
      await running.close('test');
      // Had the signal not fired, the call would have been cut at the end of the grace period (an error).
      await expect(watch).resolves.toEqual({ name: 'drained' });
    } finally {
      client.close();
      probe.close();
    }
  });

  it('cuts a call still open when the grace period ends, and still stops', async () => {
    const { running, client, probe } = await start('200ms');
    try {
      const arrived = latches.arrived('stuck');
      const stuck = callWait(client, 'stuck');
      await arrived;
      await running.close('test');
      await expect(stuck).rejects.toHaveProperty('code');
      expect(await probe.check('', 300)).toBe('UNREACHABLE');
    } finally {
      latches.release('stuck');
      client.close();
      probe.close();
    }
  });

  it('records RED metrics for every RPC and serves them on /metrics', async () => {
    const { running, client, probe } = await start('1s');
    try {
      const arrived = latches.arrived('measured');
      const call = callWait(client, 'measured');
      await arrived;
      latches.release('measured');
      await call;
      const httpUrl = running.httpUrl.replace('0.0.0.0', '127.0.0.1');
      expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
      const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
      expect(metrics).toMatch(/strata_rpc_requests_total\{[^}]*method="strata\.runtimetest\.v1\.SlowService\/Wait"[^}]*code="OK"[^}]*\} 1/);
      expect(metrics).toMatch(/strata_http_requests_total\{[^}]*route="\/healthz"/);
    } finally {
      await running.close('test');
      client.close();
      probe.close();
    }
  });
});
