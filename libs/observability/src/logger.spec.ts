import { createLogCapture } from '../test/fixtures/log-capture';
import { type InMemoryTelemetry, startInMemoryTelemetry } from '../test/fixtures/in-memory-telemetry';
import { createLogger } from './logger';
import { withRequestContext } from './request-context';

describe(createLogger.name, () => {
  let telemetry: InMemoryTelemetry;

  beforeAll(() => {
    telemetry = startInMemoryTelemetry();
  });

  afterAll(async () => {
    await telemetry.handle.shutdown();
  });

  it('writes trace_id, span_id and request_id of the active span and request on every line', () => {
    const logs = createLogCapture();
    const logger = createLogger({ service: 'registry-service', destination: logs.stream });
    const ids = telemetry.tracer.startActiveSpan('handle', (span) => {
      withRequestContext({ requestId: 'req-42', modelVersion: '3' }, () => logger.info({ model: 'churn' }, 'registered model version'));
      span.end();
      return span.spanContext();
    });
    expect(logs.lines).toEqual([
      {
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        service: 'registry-service',
        trace_id: ids.traceId,
        span_id: ids.spanId,
        request_id: 'req-42',
        model_version: '3',
        model: 'churn',
        msg: 'registered model version',
      },
    ]);
  });

  it('writes no correlation fields outside spans and requests', () => {
    const logs = createLogCapture();
    createLogger({ service: 'gateway', destination: logs.stream }).warn('starting');
    expect(Object.keys(logs.lines[0]!).sort()).toEqual(['level', 'msg', 'service', 'time']);
  });

  it('redacts secrets', () => {
    const logs = createLogCapture();
    createLogger({ service: 'gateway', destination: logs.stream, redact: ['dsn'] }).info({ config: { databaseUrl: 'postgres://u:pw@h/db', port: 1 }, token: 't0k', dsn: 'x' }, 'config loaded');
    expect(logs.lines[0]).toMatchObject({ config: { databaseUrl: '[redacted]', port: 1 }, token: '[redacted]', dsn: '[redacted]' });
  });

  it('respects the level', () => {
    const logs = createLogCapture();
    const logger = createLogger({ service: 'gateway', level: 'warn', destination: logs.stream });
    logger.info('hidden');
    logger.error('shown');
    expect(logs.lines.map((line) => line['msg'])).toEqual(['shown']);
  });
});
