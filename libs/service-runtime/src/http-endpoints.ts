import type { FastifyInstance } from 'fastify';
import type { HealthService, ServiceMetrics } from '@strata/observability';

/** What the HTTP side asks to answer /readyz. */
export interface ReadinessProbe {
  /** True when the service is SERVING and its database schema is current. */
  isReady(): Promise<boolean>;
}

/**
 * The HTTP side every service has, for Kubernetes probes and Prometheus:
 * - `GET /healthz` liveness: 200 while the process can answer at all;
 * - `GET /readyz` readiness: 200 when serving with a current schema, else 503;
 * - `GET /metrics` Prometheus text exposition.
 */
export function registerOperationalRoutes(fastify: FastifyInstance, metrics: ServiceMetrics, readiness: ReadinessProbe, health: HealthService): void {
  // HTTP RED metrics, labelled by route pattern (never the raw URL, which would explode the series).
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttpRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  fastify.get('/healthz', async (_request, reply) => reply.send({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    const ready = await readiness.isReady().catch(() => false);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', grpc: health.statusOf() });
  });
  fastify.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.render();
    return reply.header('content-type', contentType).send(body);
  });
}
