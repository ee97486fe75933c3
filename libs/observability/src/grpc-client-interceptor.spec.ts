import { type InterceptingCall, type InterceptorOptions, Metadata } from '@grpc/grpc-js';
import { context, propagation } from '@opentelemetry/api';
import { type InMemoryTelemetry, startInMemoryTelemetry } from '../test/fixtures/in-memory-telemetry';
import { requestContextClientInterceptor } from './grpc-client-interceptor';
import { baggageWithRequestContext, setModelVersion, withRequestContext } from './request-context';

/** Starts a call through the interceptor and returns the metadata that reached the next call. */
function outgoingMetadata(metadata = new Metadata()): Metadata {
  let sent: Metadata | undefined;
  const nextCall = { start: (startedWith: Metadata) => (sent = startedWith) } as unknown as InterceptingCall;
  requestContextClientInterceptor({} as InterceptorOptions, () => nextCall).start(metadata, {});
  if (!sent) throw new Error('the interceptor did not start the next call');
  return sent;
}

describe('requestContextClientInterceptor', () => {
  let telemetry: InMemoryTelemetry;

  beforeAll(() => {
    telemetry = startInMemoryTelemetry();
  });

  afterAll(async () => {
    await telemetry.handle.shutdown();
  });

  it('copies the request context, including values set mid-request, into outgoing metadata', () => {
    const metadata = withRequestContext({ requestId: 'req-7' }, () => {
      setModelVersion('12');
      return outgoingMetadata();
    });
    expect(metadata.get('x-request-id')).toEqual(['req-7']);
    expect(metadata.get('strata-model-version')).toEqual(['12']);
    expect(metadata.get('strata-feature-contract')).toEqual([]);
  });

  it('replaces the baggage injected before the model version was known, keeping foreign entries', () => {
    const callerBaggage = propagation.createBaggage({ 'tenant.id': { value: 'acme' } });
    const metadata = context.with(propagation.setBaggage(context.active(), callerBaggage), () =>
      withRequestContext({ requestId: 'req-8' }, () => {
        const stale = new Metadata();
        stale.set('baggage', 'strata.request_id=req-8');
        setModelVersion('3');
        return outgoingMetadata(stale);
      }),
    );
    expect(metadata.get('baggage')).toHaveLength(1);
    expect(String(metadata.get('baggage')[0]).split(',').sort()).toEqual(['strata.model_version=3', 'strata.request_id=req-8', 'tenant.id=acme']);
  });

  it('keeps metadata the caller set explicitly', () => {
    const explicit = new Metadata();
    explicit.set('x-request-id', 'chosen-by-caller');
    const metadata = withRequestContext({ requestId: 'req-9' }, () => outgoingMetadata(explicit));
    expect(metadata.get('x-request-id')).toEqual(['chosen-by-caller']);
  });

  it('leaves metadata untouched outside any request', () => {
    expect(outgoingMetadata().getMap()).toEqual({});
    const fromBaggage = context.with(propagation.setBaggage(context.active(), baggageWithRequestContext(undefined, { requestId: 'req-b' })), () => outgoingMetadata());
    expect(fromBaggage.get('x-request-id')).toEqual(['req-b']);
  });
});
