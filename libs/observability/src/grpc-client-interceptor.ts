import { InterceptingCall, type Interceptor, type Metadata } from '@grpc/grpc-js';
import { context, propagation } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { baggageWithRequestContext, getRequestContext, requestContextHeaders } from './request-context';
import { isTracing } from './tracing-state';

const baggagePropagator = new W3CBaggagePropagator();
const metadataSetter = { set: (carrier: Metadata, key: string, value: string) => carrier.set(key, value) };

/**
 * grpc-js client interceptor that copies the current request context into outgoing
 * metadata (`x-request-id`, `strata-model-version`, `strata-feature-contract`, ...; values
 * the caller set explicitly win) and refreshes the W3C `baggage` header with values learnt
 * mid-request. `traceparent` is injected by the gRPC instrumentation. When telemetry runs without
 * tracing (no exporter) nothing reads W3C baggage on the other side, so none is built: the
 * metadata headers carry the same values.
 *
 * @example
 * new RegistryServiceClient(url, credentials.createInsecure(), { interceptors: [requestContextClientInterceptor] });
 * // Nest ClientsModule: options.channelOptions: { interceptors: [requestContextClientInterceptor] }
 */
export const requestContextClientInterceptor: Interceptor = (options, nextCall) =>
  new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      const active = context.active();
      const values = getRequestContext(active);
      for (const [key, value] of Object.entries(requestContextHeaders(values))) {
        if (metadata.get(key).length === 0) metadata.set(key, value);
      }
      if (Object.keys(values).length > 0 && isTracing() !== false) {
        // The instrumentation injected the baggage of the (immutable) context; values set since live in the request scope.
        metadata.remove('baggage');
        baggagePropagator.inject(propagation.setBaggage(active, baggageWithRequestContext(propagation.getBaggage(active), values)), metadata, metadataSetter);
      }
      next(metadata, listener);
    },
  });
