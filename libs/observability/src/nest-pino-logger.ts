import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

const STACK_TRACE = /\n\s+at /;

/**
 * Nest `LoggerService` writing Nest's own logs through a pino logger from `createLogger`, so
 * they are JSON lines with the same fields. Nest's context (`NestApplication`, a class name)
 * becomes the `context` field.
 *
 * @example
 * const app = await NestFactory.createMicroservice(AppModule, { ...grpcOptions, logger: new NestPinoLogger(logger) });
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('info', message, optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', message, optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', message, optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('trace', message, optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', message, optionalParams);
  }

  // Nest calls (message, ...params, context?) and, for errors, (message, stack?, context?).
  private write(level: Level, message: unknown, optionalParams: unknown[]): void {
    const params = [...optionalParams];
    const fields: Record<string, unknown> = {};
    if (params.length > 0 && typeof params.at(-1) === 'string') fields['context'] = params.pop();
    const stackIndex = params.findIndex((param) => typeof param === 'string' && STACK_TRACE.test(param));
    if (stackIndex >= 0) fields['stack'] = params.splice(stackIndex, 1)[0];
    if (params.length > 0) fields['params'] = params;
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
