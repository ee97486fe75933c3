import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { createHealthService, type HealthServer } from './health';

function checkOf(health: ReturnType<typeof createHealthService>): (service: string) => Promise<unknown> {
  let implementation: UntypedServiceImplementation | undefined;
  health.addToServer({ addService: (_definition: unknown, handlers: UntypedServiceImplementation) => (implementation = handlers) } as HealthServer);
  const check = implementation?.['check'] as (call: ServerUnaryCall<{ service: string }, unknown>, callback: sendUnaryData<unknown>) => void;
  return (service) =>
    new Promise((resolve) => check({ request: { service } } as ServerUnaryCall<{ service: string }, unknown>, (error, response) => resolve(error ? { code: error.code } : response)));
}

describe(createHealthService.name, () => {
  it('starts NOT_SERVING and follows setServing / setNotServing', async () => {
    const health = createHealthService({ 'strata.registry.v1.RegistryService': 'SERVING' });
    const check = checkOf(health);
    expect(await check('')).toEqual({ status: 'NOT_SERVING' });
    health.setServing();
    expect(await check('')).toEqual({ status: 'SERVING' });
    expect(await check('strata.registry.v1.RegistryService')).toEqual({ status: 'SERVING' });
    health.setAllNotServing();
    expect([health.statusOf(), health.statusOf('strata.registry.v1.RegistryService')]).toEqual(['NOT_SERVING', 'NOT_SERVING']);
  });

  it('answers NOT_FOUND for services it does not know', async () => {
    const health = createHealthService();
    expect(health.statusOf('x.v1.Unknown')).toBe('SERVICE_UNKNOWN');
    expect(await checkOf(health)('x.v1.Unknown')).toEqual({ code: 5 });
  });
});
