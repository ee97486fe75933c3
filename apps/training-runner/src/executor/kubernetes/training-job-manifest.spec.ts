import { buildTrainingJobManifest, EXECUTOR_ENV, trainingJobName, type TrainingJobManifestOptions } from './training-job-manifest';

const JOB_ID = '0190f3a2-7c4e-7b1a-9d2e-5f6a7b8c9d0e';

function someOptions(overrides: Partial<TrainingJobManifestOptions> = {}): TrainingJobManifestOptions {
  return {
    jobId: JOB_ID,
    namespace: 'strata-training',
    image: 'ghcr.io/strata/training-runner@sha256:abc',
    serviceAccountName: 'training-job',
    databaseUrlSecret: { name: 'training-runner-db', key: 'url' },
    featureServiceAddress: 'feature-service:50051',
    registryAddress: 'registry-service:50051',
    timeoutSeconds: 3600,
    ...overrides,
  };
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe(trainingJobName.name, () => {
  it('keeps the whole UUID without dashes when the ID is a UUID', () => {
    const name = trainingJobName(JOB_ID);
    expect(name).toBe('strata-train-0190f3a27c4e7b1a9d2e5f6a7b8c9d0e');
    expect(name).toMatch(DNS_1123_LABEL);
  });

  it('gives different names when two UUIDv7s share their timestamp prefix', () => {
    expect(trainingJobName('0190f3a2-7c4e-7b1a-9d2e-000000000001')).not.toBe(trainingJobName('0190f3a2-7c4e-7b1a-9d2e-000000000002'));
  });

  it('cuts and hashes when the ID is too long for a DNS label', () => {
    const long = 'A'.repeat(80);
    const name = trainingJobName(long);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(DNS_1123_LABEL);
    expect(name).not.toBe(trainingJobName(`${'A'.repeat(79)}B`));
  });

  it('throws when the ID has no letters or digits', () => {
    expect(() => trainingJobName('--')).toThrow(RangeError);
  });
});

describe(buildTrainingJobManifest.name, () => {
  const job = buildTrainingJobManifest(someOptions());
  const pod = job.spec!.template.spec!;
  const container = pod.containers[0]!;
  const env = Object.fromEntries(container.env!.map((variable) => [variable.name, variable]));

  it('builds a batch/v1 Job named after the job in the configured namespace', () => {
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.kind).toBe('Job');
    expect(job.metadata).toMatchObject({ name: trainingJobName(JOB_ID), namespace: 'strata-training' });
  });

  it('labels the Job and its pods with the app, the component and the job ID', () => {
    const labels = { 'app.kubernetes.io/name': 'training-runner', 'app.kubernetes.io/component': 'training-job', 'strata.dev/job-id': JOB_ID };
    expect(job.metadata!.labels).toEqual(labels);
    expect(job.spec!.template.metadata!.labels).toEqual(labels);
  });

  it('runs the training-runner image in single-job mode', () => {
    expect(container.image).toBe('ghcr.io/strata/training-runner@sha256:abc');
    expect([...container.command!, ...container.args!]).toEqual(['node', 'apps/training-runner/src/main.js', '--run-job', JOB_ID]);
  });

  it('leaves retries to the runner queue and bounds the run by the job timeout', () => {
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 3600 });
    expect(pod.restartPolicy).toBe('Never');
    expect(buildTrainingJobManifest(someOptions({ timeoutSeconds: 90.2, ttlSecondsAfterFinished: 60 })).spec).toMatchObject({ activeDeadlineSeconds: 91, ttlSecondsAfterFinished: 60 });
  });

  it('reads the database URL from a secret and passes the service addresses', () => {
    expect(env['DATABASE_URL']).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'training-runner-db', key: 'url' } } });
    expect(env['DATABASE_URL']).not.toHaveProperty('value');
    expect(env['FEATURE_SERVICE_ADDRESS']?.value).toBe('feature-service:50051');
    expect(env['REGISTRY_ADDRESS']?.value).toBe('registry-service:50051');
    expect(env[EXECUTOR_ENV.name]?.value).toBe('local');
  });

  it('passes the claiming runner\'s lease owner and the registry token secret to the pod', () => {
    expect(env['JOB_LEASE_OWNER']).toBeUndefined();
    const leased = buildTrainingJobManifest(someOptions({ leaseOwner: 'runner-0:1:abcd', registryTokenSecret: { name: 'registry', key: 'token' } }));
    const leasedEnv = leased.spec!.template.spec!.containers[0]!.env!;
    expect(leasedEnv).toEqual(expect.arrayContaining([{ name: 'JOB_LEASE_OWNER', value: 'runner-0:1:abcd' }, { name: 'REGISTRY_TOKEN', valueFrom: { secretKeyRef: { name: 'registry', key: 'token' } } }]));
  });

  it('sets the OpenTelemetry variables when an endpoint is configured', () => {
    expect(env['OTEL_SERVICE_NAME']?.value).toBe('training-runner');
    expect(env['OTEL_EXPORTER_OTLP_ENDPOINT']).toBeUndefined();
    const traced = buildTrainingJobManifest(someOptions({ otelEndpoint: 'http://collector:4318', otelServiceName: 'training-job' }));
    const tracedEnv = traced.spec!.template.spec!.containers[0]!.env!;
    expect(tracedEnv).toEqual(expect.arrayContaining([{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://collector:4318' }, { name: 'OTEL_SERVICE_NAME', value: 'training-job' }]));
  });

  it('requests and limits cpu, memory and GPUs when resources are given', () => {
    const withResources = buildTrainingJobManifest(someOptions({ resources: { cpu: '2', memory: '4Gi', gpus: 1 } }));
    const quantities = { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' };
    expect(withResources.spec!.template.spec!.containers[0]!.resources).toEqual({ requests: quantities, limits: quantities });
  });

  it('leaves resources to the cluster default when none or empty ones are given', () => {
    expect(container.resources).toBeUndefined();
    expect(buildTrainingJobManifest(someOptions({ resources: { cpu: '', memory: '', gpus: 0 } })).spec!.template.spec!.containers[0]!.resources).toBeUndefined();
  });

  it('locks the pod down', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe('training-job');
  });

  it('mounts a writable emptyDir on /tmp', () => {
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(buildTrainingJobManifest(someOptions({ tmpSizeLimit: '2Gi' })).spec!.template.spec!.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '2Gi' } }]);
  });

  it('throws when the job ID is not a label value or the timeout is not positive', () => {
    expect(() => buildTrainingJobManifest(someOptions({ jobId: 'has space' }))).toThrow(RangeError);
    expect(() => buildTrainingJobManifest(someOptions({ timeoutSeconds: 0 }))).toThrow('timeoutSeconds must be > 0');
  });
});
