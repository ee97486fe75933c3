import { createLogCapture } from '../test/fixtures/log-capture';
import { createLogger } from './logger';
import { NestPinoLogger } from './nest-pino-logger';

describe(NestPinoLogger.name, () => {
  function aNestLogger() {
    const logs = createLogCapture();
    return { logs, nestLogger: new NestPinoLogger(createLogger({ service: 'feature-service', level: 'trace', destination: logs.stream })) };
  }

  it("turns Nest's trailing context argument into a context field", () => {
    const { logs, nestLogger } = aNestLogger();
    nestLogger.log('Nest application successfully started', 'NestApplication');
    expect(logs.lines[0]).toMatchObject({ level: 'info', service: 'feature-service', context: 'NestApplication', msg: 'Nest application successfully started' });
  });

  it('keeps the stack of error logs', () => {
    const { logs, nestLogger } = aNestLogger();
    nestLogger.error('could not connect', 'Error: boom\n    at connect (db.ts:1:1)', 'PrismaService');
    expect(logs.lines[0]).toMatchObject({ level: 'error', context: 'PrismaService', stack: 'Error: boom\n    at connect (db.ts:1:1)', msg: 'could not connect' });
  });

  it('logs Error objects and plain objects', () => {
    const { logs, nestLogger } = aNestLogger();
    nestLogger.warn(new Error('slow start'));
    nestLogger.debug({ event: 'route mapped', path: '/v1' }, 'RouterExplorer');
    nestLogger.verbose('detail');
    nestLogger.fatal('dying');
    expect(logs.lines.map(({ level, msg, err, event, context }) => ({ level, msg, err: (err as { message?: string } | undefined)?.message, event, context }))).toEqual([
      { level: 'warn', msg: 'slow start', err: 'slow start', event: undefined, context: undefined },
      { level: 'debug', msg: undefined, err: undefined, event: 'route mapped', context: 'RouterExplorer' },
      { level: 'trace', msg: 'detail', err: undefined, event: undefined, context: undefined },
      { level: 'fatal', msg: 'dying', err: undefined, event: undefined, context: undefined },
    ]);
  });
});
