import { type InterceptingCall, type InterceptorOptions, Metadata } from '@grpc/grpc-js';
import { requestContextClientInterceptor } from './grpc-client-interceptor';
import { setModelVersion, withRequestContext } from './request-context';
import { startTelemetry, type TelemetryHandle } from './telemetry';

// Telemetry without an exporter (the default of a service with tracing off): its own process state, so its own file.
describe('requestContextClientInterceptor with tracing off', () => {
  let telemetry: TelemetryHandle;

  beforeAll(() => {
    telemetry = startTelemetry({ serviceName: 'unit-test', exportToOtlp: false });
  });

  afterAll(async () => {
    await telemetry.shutdown();
  });

  it('sends the request context as metadata headers and builds no W3C baggage nobody reads', () => {
    expect(telemetry.tracing).toBe(false);
    let sent: Metadata | undefined;
    const nextCall = { start: (startedWith: Metadata) => (sent = startedWith) } as unknown as InterceptingCall;
    withRequestContext({ requestId: 'req-off' }, () => {
      setModelVersion('5');
      requestContextClientInterceptor({} as InterceptorOptions, () => nextCall).start(new Metadata(), {});
    });
    expect(sent?.get('x-request-id')).toEqual(['req-off']);
    expect(sent?.get('strata-model-version')).toEqual(['5']);
    expect(sent?.get('baggage')).toEqual([]);
  });
});
