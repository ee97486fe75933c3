import { Metadata } from '@grpc/grpc-js';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { defer, lastValueFrom, NEVER, type Observable, of, throwError, toArray } from 'rxjs';
import { sampleValue } from '../test/fixtures/prometheus-text';
import { type InMemoryTelemetry, startInMemoryTelemetry } from '../test/fixtures/in-memory-telemetry';
import { createMetrics, type ServiceMetrics } from './metrics';
import { ObservabilityInterceptor } from './observability.interceptor';
import { getRequestContext, setModelVersion } from './request-context';

const METHOD = 'strata.inference.v1.InferenceService/Predict';

function aGrpcCall(requestId?: string) {
  const metadata = new Metadata();
  if (requestId) metadata.set('x-request-id', requestId);
  const sent: Record<string, unknown>[] = [];
  const call = { metadata, sendMetadata: (response: Metadata) => sent.push(response.getMap()), getPath: () => `/${METHOD}` };
  return { metadata, call, sent };
}

function anExecutionContext(type: string, args: unknown[], http?: { request: unknown; response: unknown }): ExecutionContext {
  return {
    getType: () => type,
    getArgs: () => args,
    getClass: () => class PredictController {},
    getHandler: () => function predict() {
      return undefined;
    },
    switchToHttp: () => ({ getRequest: () => http?.request, getResponse: () => http?.response, getNext: () => undefined }),
  } as unknown as ExecutionContext;
}

const handlerOf = (run: () => Observable<unknown>): CallHandler => ({ handle: () => defer(run) });

async function rpcCount(metrics: ServiceMetrics, code: string): Promise<number | undefined> {
  return sampleValue((await metrics.render()).body, 'strata_rpc_requests_total', { method: METHOD, code });
}

describe(ObservabilityInterceptor.name, () => {
  let telemetry: InMemoryTelemetry;
  let metrics: ServiceMetrics;
  let interceptor: ObservabilityInterceptor;

  beforeAll(() => {
    telemetry = startInMemoryTelemetry();
  });

  afterAll(async () => {
    await telemetry.handle.shutdown();
  });

  beforeEach(() => {
    metrics = createMetrics('inference-service', { defaultMetrics: false });
    interceptor = new ObservabilityInterceptor({ metrics });
  });

  it('runs a unary handler in the request context and returns values it set in the response metadata', async () => {
    const { metadata, call, sent } = aGrpcCall('req-1');
    const seen: unknown[] = [];
    const handler = handlerOf(() => {
      seen.push(getRequestContext());
      setModelVersion('5', 'churn');
      return of({ score: 0.9 });
    });
    const response = await lastValueFrom(interceptor.intercept(anExecutionContext('rpc', [{}, metadata, call]), handler));
    expect(response).toEqual({ score: 0.9 });
    expect(seen).toEqual([{ requestId: 'req-1' }]);
    expect(sent).toEqual([{ 'x-request-id': 'req-1', 'strata-model-name': 'churn', 'strata-model-version': '5' }]);
    expect(await rpcCount(metrics, 'OK')).toBe(1);
  });

  it('sends the response metadata once for a stream and generates a request id', async () => {
    const { metadata, call, sent } = aGrpcCall();
    const values = await lastValueFrom(interceptor.intercept(anExecutionContext('rpc', [{}, metadata, call]), handlerOf(() => of(1, 2, 3))).pipe(toArray()));
    expect(values).toEqual([1, 2, 3]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('labels failures with the status code of the error, mapped by the app when it knows better', async () => {
    const { metadata, call, sent } = aGrpcCall('req-2');
    const denied = { getError: () => ({ code: 7, message: 'denied' }) };
    await expect(lastValueFrom(interceptor.intercept(anExecutionContext('rpc', [{}, metadata, call]), handlerOf(() => throwError(() => denied))))).rejects.toBe(denied);
    expect(sent).toEqual([{ 'x-request-id': 'req-2' }]);
    expect(await rpcCount(metrics, 'PERMISSION_DENIED')).toBe(1);

    class GateRejected extends Error {}
    const mapping = new ObservabilityInterceptor({ metrics, statusCodeOfError: (error) => (error instanceof GateRejected ? 9 : undefined) });
    await expect(lastValueFrom(mapping.intercept(anExecutionContext('rpc', [{}, metadata, call]), handlerOf(() => throwError(() => new GateRejected()))))).rejects.toBeInstanceOf(GateRejected);
    expect(await rpcCount(metrics, 'FAILED_PRECONDITION')).toBe(1);
  });

  it('counts a request the caller abandoned as CANCELLED', async () => {
    const { metadata, call } = aGrpcCall('req-3');
    interceptor
      .intercept(anExecutionContext('rpc', [{}, metadata, call]), handlerOf(() => NEVER))
      .subscribe()
      .unsubscribe();
    expect(await rpcCount(metrics, 'CANCELLED')).toBe(1);
  });

  it('sets x-request-id and strata-* headers on HTTP replies', async () => {
    const headers: Record<string, string> = {};
    const reply = { header: (name: string, value: string) => (headers[name] = value) };
    const request = { headers: { 'x-request-id': 'req-http' } };
    const handler = handlerOf(() => {
      setModelVersion('8');
      return of('ok');
    });
    await lastValueFrom(interceptor.intercept(anExecutionContext('http', [request, reply], { request, response: reply }), handler));
    expect(headers).toEqual({ 'x-request-id': 'req-http', 'strata-model-version': '8' });
  });

  it('passes other transports through untouched', async () => {
    const result = await lastValueFrom(interceptor.intercept(anExecutionContext('rpc', [{ pattern: 'x' }]), handlerOf(() => of(getRequestContext()))));
    expect(result).toEqual({});
  });
});
