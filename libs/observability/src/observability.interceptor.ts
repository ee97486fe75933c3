import { performance } from 'node:perf_hooks';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { context, propagation } from '@opentelemetry/api';
import { Observable } from 'rxjs';
import { grpcCallOfHandlerArgs, type GrpcServerCallLike, grpcMethodName, grpcStatusCodeOfError, grpcStatusName, metadataValue } from './grpc-call';
import type { ServiceMetrics } from './metrics';
import { enterRequestScope, type IncomingContextPolicy, incomingRequestContext, requestContextHeaders } from './request-context';
import type { RequestContext } from './request-context-keys';
import { type HttpResponseLike, setRequestContextHeaders } from './response-headers';

/** Options of {@link ObservabilityInterceptor}. */
export interface ObservabilityInterceptorOptions extends IncomingContextPolicy {
  /** Where RPC RED metrics go; none are recorded without it. */
  readonly metrics?: ServiceMetrics;
  /**
   * The gRPC status code a handler error ends as, for the `code` label — pass the mapping
   * of the app's exception filter; `undefined` falls back to `RpcException`/`code` detection.
   */
  readonly statusCodeOfError?: (error: unknown) => number | undefined;
}

type Outcome = { kind: 'completed' } | { kind: 'failed'; error: unknown } | { kind: 'cancelled' };

interface ScopeHooks {
  /** Called once, before the first response value, the error or the completion, with the context as it is then. */
  sendHeaders(values: RequestContext): void;
  /** Called once when the response ends (or the caller goes away). */
  onEnd(outcome: Outcome): void;
}

/**
 * Nest interceptor for gRPC (unary and streaming handlers) and HTTP handlers. It takes the
 * request context from the incoming metadata/headers or W3C baggage (generating a request ID
 * when absent), puts it into baggage and onto the server span of the instrumentation, runs the
 * handler inside it, returns `x-request-id` and the known `strata-*` values in the response
 * metadata/headers (as they are when the first response is sent, so values set mid-request
 * with `setModelVersion` are included) and records RPC RED metrics.
 *
 * @example
 * app.useGlobalInterceptors(new ObservabilityInterceptor({ metrics }));
 */
export class ObservabilityInterceptor implements NestInterceptor {
  constructor(private readonly options: ObservabilityInterceptorOptions = {}) {}

  intercept(executionContext: ExecutionContext, next: CallHandler): Observable<unknown> {
    const type = executionContext.getType<string>();
    if (type === 'rpc') {
      const grpc = grpcCallOfHandlerArgs(executionContext.getArgs());
      if (grpc) return this.interceptGrpc(executionContext, next, grpc.metadata, grpc.call);
    }
    if (type === 'http') return this.interceptHttp(executionContext, next);
    return next.handle();
  }

  private interceptGrpc(executionContext: ExecutionContext, next: CallHandler, metadata: Metadata, call: GrpcServerCallLike | undefined): Observable<unknown> {
    const method = grpcMethodName(call, `${executionContext.getClass().name}/${executionContext.getHandler().name}`);
    const incoming = incomingRequestContext((key) => metadataValue(metadata, key), propagation.getBaggage(context.active()), this.options);
    const startedAt = performance.now();
    return runInRequestScope(incoming, next, {
      sendHeaders: (values) => {
        const responseMetadata = new Metadata();
        for (const [key, value] of Object.entries(requestContextHeaders(values))) responseMetadata.set(key, value);
        call?.sendMetadata(responseMetadata);
      },
      onEnd: (outcome) => {
        const seconds = (performance.now() - startedAt) / 1000;
        this.options.metrics?.observeRpc(method, grpcStatusName(this.statusCodeOf(outcome)), seconds);
      },
    });
  }

  private interceptHttp(executionContext: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = executionContext.switchToHttp();
    const request = http.getRequest<{ headers?: Record<string, string | string[] | undefined> }>();
    const response = http.getResponse<HttpResponseLike>();
    const header = (key: string): string | undefined => {
      const value = request.headers?.[key];
      return Array.isArray(value) ? value[0] : value;
    };
    const incoming = incomingRequestContext(header, propagation.getBaggage(context.active()), this.options);
    // HTTP RED metrics need the final status code: the runtime records them in an onResponse hook.
    return runInRequestScope(incoming, next, { sendHeaders: (values) => setRequestContextHeaders(response, values), onEnd: () => undefined });
  }

  private statusCodeOf(outcome: Outcome): number {
    if (outcome.kind === 'completed') return GrpcStatus.OK;
    if (outcome.kind === 'cancelled') return GrpcStatus.CANCELLED;
    return this.options.statusCodeOfError?.(outcome.error) ?? grpcStatusCodeOfError(outcome.error);
  }
}

function runInRequestScope(values: RequestContext & { requestId: string }, next: CallHandler, hooks: ScopeHooks): Observable<unknown> {
  return new Observable((subscriber) => {
    const { scope, context: scoped } = enterRequestScope(values);
    let headersSent = false;
    let ended = false;
    const sendHeadersOnce = (): void => {
      if (headersSent) return;
      headersSent = true;
      neverThrow(() => hooks.sendHeaders({ ...scope.values }));
    };
    const end = (outcome: Outcome): void => {
      if (ended) return;
      ended = true;
      neverThrow(() => hooks.onEnd(outcome));
    };
    // Nest binds the handler to the async context in which handle() is called: call it (and subscribe) inside the scope.
    const subscription = context.with(scoped, () =>
      next.handle().subscribe({
        next: (value) => {
          sendHeadersOnce();
          subscriber.next(value);
        },
        error: (error: unknown) => {
          sendHeadersOnce();
          end({ kind: 'failed', error });
          subscriber.error(error);
        },
        complete: () => {
          sendHeadersOnce();
          end({ kind: 'completed' });
          subscriber.complete();
        },
      }),
    );
    return () => {
      subscription.unsubscribe();
      end({ kind: 'cancelled' });
    };
  });
}

// Observability must never fail a request: a lost header or sample is better than an error.
function neverThrow(action: () => void): void {
  try {
    action();
  } catch {
    // ignored on purpose
  }
}
