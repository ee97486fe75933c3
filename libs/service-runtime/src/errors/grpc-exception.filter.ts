import { Metadata, status } from '@grpc/grpc-js';
import { type ArgumentsHost, Catch, type HttpServer } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Logger } from 'pino';
import { type Observable, throwError } from 'rxjs';
import { ServiceError } from './service-errors';
import { encodeStatusDetails, STATUS_DETAILS_KEY } from './status-details';

/** What grpc-js sends for a failed call: status, message and trailing metadata. */
interface GrpcErrorPayload {
  code: status;
  details: string;
  metadata: Metadata;
}

/**
 * The one place a service's errors become gRPC statuses: a {@link ServiceError} keeps its
 * code and message and gets google.rpc details; anything else is INTERNAL with a generic
 * message (the cause is logged, never sent to the caller). HTTP errors go to Nest's default.
 */
@Catch()
export class GrpcExceptionFilter extends BaseExceptionFilter {
  constructor(
    private readonly logger: Logger,
    httpAdapter?: HttpServer,
  ) {
    super(httpAdapter);
  }

  override catch(exception: unknown, host: ArgumentsHost): Observable<never> | undefined {
    // HTTP errors keep Nest's default handling (an HTTP app may add its own filter).
    if (host.getType() !== 'rpc') {
      super.catch(exception, host);
      return undefined;
    }
    return throwError(() => this.toGrpcError(exception));
  }

  toGrpcError(exception: unknown): GrpcErrorPayload {
    const metadata = new Metadata();
    if (exception instanceof ServiceError) {
      const details = encodeStatusDetails(exception);
      if (details !== undefined) metadata.set(STATUS_DETAILS_KEY, details);
      return { code: exception.code, details: exception.message, metadata };
    }
    this.logger.error({ err: exception }, 'unexpected error while handling a call');
    return { code: status.INTERNAL, details: 'internal error (see the service log)', metadata };
  }
}
