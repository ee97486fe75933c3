import { context, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { enterRequestScope, setFeatureContractVersion, setModelVersion } from './request-context';
import { type RequestContextHoldOptions, RequestContextSpanProcessor } from './request-context-spans';

describe('request context on every exported span', () => {
  const manager = new AsyncLocalStorageContextManager();
  let exported: InMemorySpanExporter;
  let provider: BasicTracerProvider;

  function setUp(options: RequestContextHoldOptions = {}) {
    exported = new InMemorySpanExporter();
    provider = new BasicTracerProvider({ spanProcessors: [new RequestContextSpanProcessor(new SimpleSpanProcessor(exported), options)] });
    return provider.getTracer('test');
  }

  const exportedNames = (): string[] => exported.getFinishedSpans().map((span) => span.name);
  const attributesByName = () => new Map(exported.getFinishedSpans().map((span) => [span.name, span.attributes]));

  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
  });

  afterEach(async () => {
    await provider.shutdown();
    jest.useRealTimers();
  });

  afterAll(() => {
    context.disable();
    propagation.disable();
  });

  it('holds spans that end before the model version and contract are known until the server span ends, then adds them', () => {
    const tracer = setUp();
    const remoteCaller = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true };
    const server = tracer.startSpan('server', {}, trace.setSpanContext(context.active(), remoteCaller));
    const { context: scoped } = enterRequestScope({ requestId: 'req-1' }, trace.setSpan(context.active(), server));
    context.with(scoped, () => {
      const client = tracer.startSpan('feature fetch');
      client.end(); // ends before the model version is known
      expect(exportedNames()).toEqual([]); // an export now would miss the version: held
      setModelVersion('flight-delay:3', 'flight-delay');
      setFeatureContractVersion('route_stats:1@sha256:ab');
    });
    server.end();

    expect(exportedNames()).toEqual(['feature fetch', 'server']);
    const expected = { 'strata.request_id': 'req-1', 'strata.model.version': 'flight-delay:3', 'strata.feature_contract.version': 'route_stats:1@sha256:ab' };
    expect(attributesByName().get('feature fetch')).toMatchObject(expected);
    expect(attributesByName().get('server')).toMatchObject(expected);
  });

  it('gives a span ending after its trace\'s root what the trace ended with', () => {
    const tracer = setUp();
    const server = tracer.startSpan('server');
    const { context: scoped } = enterRequestScope({ requestId: 'req-2' }, trace.setSpan(context.active(), server));
    const late = context.with(scoped, () => tracer.startSpan('shadow copy'));
    context.with(scoped, () => setModelVersion('m:2'));
    server.end();
    late.end();
    expect(attributesByName().get('shadow copy')).toMatchObject({ 'strata.request_id': 'req-2', 'strata.model.version': 'm:2' });
  });

  it('stops holding a trace whose root stays open longer than maxHoldMs (streams, jobs)', () => {
    jest.useFakeTimers();
    let now = 0;
    const tracer = setUp({ maxHoldMs: 5_000, sweepIntervalMs: 1_000, now: () => now });
    const stream = tracer.startSpan('watch stream');
    const { context: scoped } = enterRequestScope({ requestId: 'req-3' }, trace.setSpan(context.active(), stream));
    context.with(scoped, () => tracer.startSpan('first event').end());
    now = 4_000;
    jest.advanceTimersByTime(4_000);
    expect(exportedNames()).toEqual([]);
    now = 5_000;
    jest.advanceTimersByTime(1_000);
    expect(exportedNames()).toEqual(['first event']);
    context.with(scoped, () => tracer.startSpan('second event').end());
    expect(exportedNames()).toEqual(['first event', 'second event']);
    stream.end();
    expect(exportedNames()).toEqual(['first event', 'second event', 'watch stream']);
  });

  it('passes held spans on at forceFlush, never replaces a span\'s own value, and leaves other traces alone', async () => {
    const tracer = setUp();
    const server = tracer.startSpan('server');
    const { context: scoped } = enterRequestScope({ requestId: 'req-4', modelVersion: 'm:9' }, trace.setSpan(context.active(), server));
    context.with(scoped, () => tracer.startSpan('own', { attributes: { 'strata.model.version': 'm:1' } }).end());
    tracer.startSpan('unrelated').end();
    expect(exportedNames()).toEqual(['unrelated']);
    await provider.forceFlush();
    expect(exportedNames()).toEqual(['unrelated', 'own']);
    expect(attributesByName().get('own')?.['strata.model.version']).toBe('m:1');
    expect(attributesByName().get('unrelated')?.['strata.request_id']).toBeUndefined();
    server.end();
  });
});
