import { context, propagation, type Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { type InMemoryTelemetry, startInMemoryTelemetry } from '../test/fixtures/in-memory-telemetry';
import {
  baggageWithRequestContext,
  getRequestContext,
  incomingRequestContext,
  requestContextHeaders,
  setFeatureContractVersion,
  setModelVersion,
  withRequestContext,
} from './request-context';

describe('request context', () => {
  let telemetry: InMemoryTelemetry;

  beforeAll(() => {
    telemetry = startInMemoryTelemetry();
  });

  afterAll(async () => {
    await telemetry.handle.shutdown();
  });

  // Spans are exported once the resource's async attributes settle: flush before reading them.
  async function inSpan<T>(name: string, run: (span: Span) => T): Promise<{ result: T; span: ReadableSpan }> {
    const result = telemetry.tracer.startActiveSpan(name, (span) => {
      try {
        return run(span);
      } finally {
        span.end();
      }
    });
    await telemetry.handle.forceFlush();
    const span = telemetry.spans.getFinishedSpans().find((finished) => finished.name === name);
    if (!span) throw new Error(`span ${name} did not finish`);
    return { result, span };
  }

  it('is empty outside any request scope', () => {
    expect(getRequestContext()).toEqual({});
  });

  it('sets baggage and span attributes and generates a request id when none is given', async () => {
    const { result, span } = await inSpan('scope', () => withRequestContext({ modelVersion: '3' }, () => ({ values: getRequestContext(), baggage: propagation.getActiveBaggage() })));
    expect(result.values.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.baggage?.getEntry('strata.request_id')?.value).toBe(result.values.requestId);
    expect(result.baggage?.getEntry('strata.model_version')?.value).toBe('3');
    expect(span.attributes).toMatchObject({ 'strata.request_id': result.values.requestId, 'strata.model.version': '3' });
  });

  it('updates the scope and the server span when the model version is learnt mid-request', async () => {
    const { result, span } = await inSpan('mid-request', () =>
      withRequestContext({ requestId: 'req-1' }, () => {
        const updated = setModelVersion('9', 'churn');
        setFeatureContractVersion('churn_features@2');
        return { updated, values: getRequestContext() };
      }),
    );
    expect(result).toEqual({ updated: true, values: { requestId: 'req-1', modelName: 'churn', modelVersion: '9', featureContractVersion: 'churn_features@2' } });
    expect(span.attributes).toMatchObject({ 'strata.request_id': 'req-1', 'strata.model.name': 'churn', 'strata.model.version': '9', 'strata.feature_contract.version': 'churn_features@2' });
  });

  it('passes values set in a nested scope up to the enclosing request', () => {
    const outer = withRequestContext({ requestId: 'req-outer' }, () => {
      withRequestContext({}, () => setModelVersion('4'));
      return getRequestContext();
    });
    expect(outer).toEqual({ requestId: 'req-outer', modelVersion: '4' });
  });

  it('reports that there is no request scope to update', () => {
    expect(setModelVersion('1')).toBe(false);
    expect(getRequestContext()).toEqual({});
  });

  it('reads the request context from baggage alone (as extracted from a caller)', () => {
    const baggage = baggageWithRequestContext(propagation.createBaggage({ 'other.key': { value: 'kept' } }), { requestId: 'req-b', featureContractVersion: 'f@1' });
    const values = context.with(propagation.setBaggage(context.active(), baggage), () => getRequestContext());
    expect(values).toEqual({ requestId: 'req-b', featureContractVersion: 'f@1' });
    expect(baggage.getEntry('other.key')?.value).toBe('kept');
  });

  it('renders known values as metadata/header pairs', () => {
    expect(requestContextHeaders({ requestId: 'r', modelVersion: '2' })).toEqual({ 'x-request-id': 'r', 'strata-model-version': '2' });
  });
});

describe(incomingRequestContext.name, () => {
  const headersOf = (headers: Record<string, string>) => (key: string) => headers[key];
  const callerBaggage = () => baggageWithRequestContext(undefined, { requestId: 'from-baggage', modelVersion: 'baggage-version', featureContractVersion: 'baggage-contract' });

  it('prefers metadata over baggage', () => {
    expect(incomingRequestContext(headersOf({ 'x-request-id': 'from-header', 'strata-model-version': '5' }), callerBaggage())).toEqual({
      requestId: 'from-header',
      modelVersion: '5',
      featureContractVersion: 'baggage-contract',
    });
  });

  it('generates a request id when the caller sent none or an unusable one', () => {
    expect(incomingRequestContext(headersOf({}), undefined).requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(incomingRequestContext(headersOf({ 'x-request-id': 'has spaces\nand newline' }), undefined).requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(incomingRequestContext(headersOf({ 'x-request-id': 'x'.repeat(129) }), undefined).requestId).toHaveLength(36);
  });

  it('takes only x-request-id from callers at the public edge', () => {
    const values = incomingRequestContext(headersOf({ 'x-request-id': 'client-id', 'strata-model-version': 'forged' }), callerBaggage(), { edge: true });
    expect(values).toEqual({ requestId: 'client-id' });
  });
});
