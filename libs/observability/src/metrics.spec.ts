import { sampleValue } from '../test/fixtures/prometheus-text';
import { createMetrics } from './metrics';

describe(createMetrics.name, () => {
  it('renders RED metrics labelled with service, method and code', async () => {
    const metrics = createMetrics('registry-service', { defaultMetrics: false });
    metrics.observeRpc('strata.registry.v1.RegistryService/GetModel', 'OK', 0.002);
    metrics.observeRpc('strata.registry.v1.RegistryService/GetModel', 'OK', 0.3);
    metrics.observeRpc('strata.registry.v1.RegistryService/GetModel', 'NOT_FOUND', 0.0004);
    const { body, contentType } = await metrics.render();
    const labels = { service: 'registry-service', method: 'strata.registry.v1.RegistryService/GetModel' };
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sampleValue(body, 'strata_rpc_requests_total', { ...labels, code: 'OK' })).toBe(2);
    expect(sampleValue(body, 'strata_rpc_requests_total', { ...labels, code: 'NOT_FOUND' })).toBe(1);
    expect(sampleValue(body, 'strata_rpc_duration_seconds_bucket', { ...labels, code: 'OK', le: '0.0025' })).toBe(1);
    expect(sampleValue(body, 'strata_rpc_duration_seconds_bucket', { ...labels, code: 'NOT_FOUND', le: '0.0005' })).toBe(1);
    expect(sampleValue(body, 'strata_rpc_duration_seconds_count', { ...labels, code: 'OK' })).toBe(2);
  });

  it('records HTTP requests by route pattern and status code', async () => {
    const metrics = createMetrics('gateway', { defaultMetrics: false });
    metrics.observeHttpRequest('POST', '/v1/models/:name:predict', 200, 0.01);
    const { body } = await metrics.render();
    expect(sampleValue(body, 'strata_http_requests_total', { service: 'gateway', method: 'POST', route: '/v1/models/:name:predict', code: '200' })).toBe(1);
  });

  it("registers the service's own metrics on its registry", async () => {
    const metrics = createMetrics('training-runner', { defaultMetrics: false });
    metrics.gauge({ name: 'strata_training_queue_depth', help: 'Jobs waiting to run' }).set(3);
    metrics.counter({ name: 'strata_model_load_events_total', help: 'Model loads', labelNames: ['outcome'] }).inc({ outcome: 'loaded' });
    metrics.histogram({ name: 'strata_training_epoch_seconds', help: 'Epoch time' }).observe(1.2);
    const { body } = await metrics.render();
    expect(sampleValue(body, 'strata_training_queue_depth', { service: 'training-runner' })).toBe(3);
    expect(sampleValue(body, 'strata_model_load_events_total', { service: 'training-runner', outcome: 'loaded' })).toBe(1);
    expect(sampleValue(body, 'strata_training_epoch_seconds_count', { service: 'training-runner' })).toBe(1);
  });

  it('keeps services apart and includes process metrics by default', async () => {
    const first = createMetrics('feature-service');
    const second = createMetrics('inference-service');
    first.observeRpc('a.v1.A/B', 'OK', 0.1);
    const { body } = await second.render();
    expect(body).not.toContain('a.v1.A/B');
    expect(body).toContain('process_cpu_user_seconds_total{service="inference-service"}');
  });
});
