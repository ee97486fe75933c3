import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { enterRequestScope, setModelVersion } from './request-context';
import { RequestContextExporter, RequestContextSpanProcessor, TraceRequestContexts } from './request-context-spans';

describe('request context on every exported span', () => {
  const exported = new InMemorySpanExporter();
  const contexts = new TraceRequestContexts();
  const provider = new BasicTracerProvider({
    spanProcessors: [new RequestContextSpanProcessor(contexts), new SimpleSpanProcessor(new RequestContextExporter(exported, contexts))],
  });
  const tracer = provider.getTracer('test');
  const manager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
  });

  afterAll(async () => {
    await provider.shutdown();
    context.disable();
    propagation.disable();
  });

  it('stamps the request ID on spans started in the request and adds values learnt later to spans that ended earlier', () => {
    const server = tracer.startSpan('server');
    const { context: scoped } = enterRequestScope({ requestId: 'req-1' }, trace.setSpan(context.active(), server));
    context.with(scoped, () => {
      const client = tracer.startSpan('client call');
      client.end(); // ends before the model version is known
      setModelVersion('flight-delay:3', 'flight-delay');
    });
    server.end();

    const byName = new Map(exported.getFinishedSpans().map((span) => [span.name, span.attributes]));
    expect(byName.get('client call')).toMatchObject({ 'strata.request_id': 'req-1' });
    expect(byName.get('server')).toMatchObject({ 'strata.request_id': 'req-1', 'strata.model.version': 'flight-delay:3' });
  });

  it('never replaces a value a span has of its own, and leaves spans of other traces alone', () => {
    exported.reset();
    const own = tracer.startSpan('own', { attributes: { 'strata.model.version': 'm:1' } });
    own.end();
    const other = tracer.startSpan('unrelated');
    other.end();
    const attributes = new Map(exported.getFinishedSpans().map((span) => [span.name, span.attributes]));
    expect(attributes.get('own')?.['strata.model.version']).toBe('m:1');
    expect(attributes.get('unrelated')?.['strata.request_id']).toBeUndefined();
  });
});
