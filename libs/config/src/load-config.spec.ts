import { env } from './env-var';
import { ConfigError, defineConfig, describeConfig, formatConfigHelp, loadConfig, redactConfig } from './load-config';

const aSchema = () =>
  defineConfig({
    GRPC_PORT: env.port({ default: 50051, description: 'Port the gRPC server listens on' }),
    SERVICE_NAME: env.string({ description: 'Name reported in logs' }),
    DATABASE_URL: env.url({ optional: true, sensitive: true, protocols: ['postgres', 'postgresql'], description: 'PostgreSQL URL' }),
    LOG_LEVEL: env.enum(['debug', 'info', 'warn'], { default: 'info', description: 'Lowest level logged' }),
    PRETTY_LOGS: env.boolean({ default: false, description: 'Human-readable logs' }),
    SHUTDOWN_TIMEOUT: env.duration({ default: 10_000, description: 'Grace period on SIGTERM' }),
    MAX_BATCH_SIZE: env.int({ min: 1, max: 1024, default: 32, description: 'Largest inference batch' }),
  });

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(loadConfig.name, () => {
  it('returns typed camelCase values with defaults for unset and empty variables', () => {
    const config = loadConfig(aSchema(), { SERVICE_NAME: 'registry', DATABASE_URL: '' });
    expect(config).toEqual({ grpcPort: 50051, serviceName: 'registry', databaseUrl: undefined, logLevel: 'info', prettyLogs: false, shutdownTimeout: 10_000, maxBatchSize: 32 });
    const port: number = config.grpcPort;
    const url: string | undefined = config.databaseUrl;
    expect([port, url]).toEqual([50051, undefined]);
  });

  it('coerces every kind from text', () => {
    const config = loadConfig(aSchema(), {
      GRPC_PORT: ' 8080 ',
      SERVICE_NAME: 'gateway',
      DATABASE_URL: 'postgresql://strata:pw@db:5432/registry',
      LOG_LEVEL: 'debug',
      PRETTY_LOGS: 'Yes',
      SHUTDOWN_TIMEOUT: '1.5m',
      MAX_BATCH_SIZE: '1024',
    });
    expect(config).toMatchObject({ grpcPort: 8080, databaseUrl: 'postgresql://strata:pw@db:5432/registry', logLevel: 'debug', prettyLogs: true, shutdownTimeout: 90_000, maxBatchSize: 1024 });
  });

  it('throws one clear line per bad variable', () => {
    const error = errorOf(() =>
      loadConfig(aSchema(), { GRPC_PORT: 'abc', LOG_LEVEL: 'loud', PRETTY_LOGS: 'maybe', SHUTDOWN_TIMEOUT: '10', MAX_BATCH_SIZE: '0' }),
    );
    expect(error.message.split('\n')).toEqual([
      'invalid configuration:',
      '  GRPC_PORT: expected a port 1-65535, got "abc"',
      '  SERVICE_NAME: required, not set (Name reported in logs)',
      '  LOG_LEVEL: expected one of debug|info|warn, got "loud"',
      '  PRETTY_LOGS: expected a boolean (true/false, 1/0, yes/no, on/off), got "maybe"',
      '  SHUTDOWN_TIMEOUT: expected a duration like 250ms, 30s, 5m, 1h, got "10"',
      '  MAX_BATCH_SIZE: expected an integer 1-1024, got "0"',
    ]);
    expect(error.issues.map((issue) => issue.variable)).toEqual(['GRPC_PORT', 'SERVICE_NAME', 'LOG_LEVEL', 'PRETTY_LOGS', 'SHUTDOWN_TIMEOUT', 'MAX_BATCH_SIZE']);
  });

  it('rejects ports out of range and URLs with another scheme', () => {
    const error = errorOf(() => loadConfig(aSchema(), { SERVICE_NAME: 'x', GRPC_PORT: '70000', DATABASE_URL: 'mysql://root:hunter2@db/x' }));
    expect(error.message).toContain('GRPC_PORT: expected a port 1-65535, got "70000"');
    expect(error.message).toContain('DATABASE_URL: expected a URL (postgres, postgresql), got a value that is not shown (sensitive)');
  });

  it('never prints a sensitive value', () => {
    const secret = 'not-a-url-but-secret-hunter2';
    const error = errorOf(() => loadConfig(aSchema(), { SERVICE_NAME: 'x', DATABASE_URL: secret }));
    expect(error.message).not.toContain('hunter2');
  });

  it('rejects schemas whose names are not SCREAMING_CASE', () => {
    expect(() => loadConfig({ grpcPort: env.port({ description: 'x' }) }, {})).toThrow('SCREAMING_CASE: grpcPort');
  });
});

describe(describeConfig.name, () => {
  it('documents every variable without sensitive defaults', () => {
    const docs = describeConfig({ ...aSchema(), API_TOKEN: env.string({ default: 'dev-token', sensitive: true, description: 'Bearer token' }) });
    expect(docs.find((doc) => doc.name === 'GRPC_PORT')).toEqual({
      name: 'GRPC_PORT',
      key: 'grpcPort',
      kind: 'port',
      description: 'Port the gRPC server listens on',
      required: false,
      sensitive: false,
      defaultValue: '50051',
    });
    expect(docs.find((doc) => doc.name === 'SERVICE_NAME')?.required).toBe(true);
    expect(docs.find((doc) => doc.name === 'API_TOKEN')?.defaultValue).toBeUndefined();
  });

  it('formats one help line per variable', () => {
    const help = formatConfigHelp(aSchema()).split('\n');
    expect(help).toHaveLength(7);
    expect(help[0]).toBe('GRPC_PORT         Port the gRPC server listens on (port, default 50051)');
    expect(help[2]).toBe('DATABASE_URL      PostgreSQL URL (url, sensitive)');
  });
});

describe(redactConfig.name, () => {
  it('hides set sensitive values and keeps the rest', () => {
    const schema = aSchema();
    const config = loadConfig(schema, { SERVICE_NAME: 'x', DATABASE_URL: 'postgres://u:pw@h/db' });
    expect(redactConfig(schema, config)).toMatchObject({ databaseUrl: '[redacted]', serviceName: 'x', grpcPort: 50051 });
  });
});
