// Writes deploy/helm/<chart>/values.schema.json for the five service charts and the umbrella.
//
// The five charts share most of their values (strata-common's templates read them), so their
// schemas are built here from one description of the common values plus each chart's own;
// `helm install`, `helm upgrade`, `helm lint` and `helm template` then refuse a wrong value with
// the field and the reason (e.g. "at '/replicaCount': got string, want integer"). Unknown keys
// are refused too (additionalProperties: false), so a typo fails instead of being ignored.
//
// It also writes each chart's README.md: what the chart is, and a table of every value (its path,
// type, default from values.yaml and description from the schema), so no value is undocumented.
//
// Usage: node tools/helm/values-schemas.js          write the files
//        node tools/helm/values-schemas.js --check  exit 1 when a file is out of date
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const root = path.resolve(__dirname, '../../deploy/helm');

// --- building blocks -------------------------------------------------------------------------
const str = (description, extra = {}) => ({ type: 'string', description, ...extra });
const bool = (description) => ({ type: 'boolean', description });
const int = (description, minimum = 0, extra = {}) => ({ type: 'integer', minimum, description, ...extra });
const obj = (description, properties, extra = {}) => ({ type: 'object', description, additionalProperties: false, properties, ...extra });
/** A free-form object (labels, annotations, Kubernetes structures the API server validates). */
const map = (description, values = {}) => ({ type: 'object', description, additionalProperties: values });
const list = (description, items = { type: 'object' }) => ({ type: 'array', description, items });
const port = (description) => int(description, 1, { maximum: 65535 });
/** A Kubernetes quantity, e.g. 250m, 1, 512Mi, 2Gi. */
const quantity = (description) => ({ type: ['string', 'integer', 'number'], description, pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$' });
/** A Strata duration: 250ms, 30s, 5m, 1h, 2d or 0. */
const duration = (description) => ({ type: 'string', description, pattern: '^(0|[0-9]+(ms|s|m|h|d))$' });
const cidr = { type: 'string', pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$', description: 'a CIDR, e.g. 10.0.0.0/16' };
const resources = (description) =>
  obj(description, {
    requests: obj('minimum reserved', { cpu: quantity('CPU, e.g. 250m'), memory: quantity('memory, e.g. 256Mi') }, { required: ['cpu', 'memory'] }),
    limits: obj('hard limits (memory is required: no container runs unbounded)', { cpu: quantity('CPU limit (usually unset: throttling hurts latency)'), memory: quantity('memory, e.g. 512Mi') }, { required: ['memory'] }),
  }, { required: ['requests', 'limits'] });

const global = obj('settings shared by every Strata chart (the umbrella sets them once)', {
  platformName: str('prefix of every object: <platformName>-<service>', { pattern: '^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$' }),
  imageRegistry: str('registry prepended to every image repository'),
  otel: obj('OpenTelemetry', { endpoint: str('OTLP/HTTP collector base URL, e.g. http://otel-collector:4318', { pattern: '^(https?://.+)?$' }) }),
});

/** `NAME: env.` keys of a config schema file (the variables it reads). */
function schemaVariables(file) {
  return [...fs.readFileSync(path.resolve(__dirname, '../..', file), 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]*): env\./gm)].map((match) => match[1]);
}

/** The variables `config` may set for a service: its own config schemas plus the common ones the chart does not set itself. */
function configurableVariables(service) {
  const dir = path.join('apps', service, 'src/config');
  const own = fs.readdirSync(path.resolve(__dirname, '../..', dir)).filter((file) => file.endsWith('.config.ts'));
  const common = [...schemaVariables('libs/service-runtime/src/service-config.ts'), ...schemaVariables('libs/observability/src/telemetry-env.ts')];
  // Set by the chart itself (strata-common, or the chart's profile from its values or Secrets;
  // a second key would duplicate it in the ConfigMap), or by the kubernetes executor in its pods.
  const profile = fs.readFileSync(path.join(root, service, 'templates/_profile.tpl'), 'utf8');
  const owned = new Set([
    'BIND_HOST', 'GRPC_PORT', 'HTTP_PORT', 'DATABASE_URL', 'DATA_DIR', 'MIGRATE_ON_START', 'LOG_LEVEL', 'SHUTDOWN_GRACE', 'OTEL_SERVICE_NAME', 'STRATA_VERSION', 'OTEL_EXPORTER_OTLP_ENDPOINT',
    'RUN_JOB_ID', 'JOB_LEASE_OWNER',
    ...[...profile.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm), ...profile.matchAll(/name: ([A-Z][A-Z0-9_]*)$/gm)].map((match) => match[1]),
  ]);
  return [...new Set([...common, ...own.flatMap((file) => schemaVariables(path.join(dir, file)))])].filter((name) => !owned.has(name)).sort();
}

/** The values every service chart has (read by strata-common). */
function commonProperties(service) {
  return {
    global,
    enabled: bool('used by the umbrella chart (deploy/helm/strata) to leave this service out'),
    'strata-common': { type: 'object', description: 'values of the strata-common library chart (Helm adds the key; it has none)' },
    fullnameOverride: str('name of every object instead of <platformName>-<service>'),
    image: obj('the service image', {
      repository: str('image repository', { minLength: 1 }),
      tag: str('image tag; default the chart appVersion'),
      digest: str('image digest (sha256:...), wins over tag', { pattern: '^(sha256:[0-9a-f]{64})?$' }),
      pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'], description: 'image pull policy' },
    }, { required: ['repository'] }),
    imagePullSecrets: list('LocalObjectReference entries', obj('a pull secret', { name: str('Secret name', { minLength: 1 }) }, { required: ['name'] })),
    replicaCount: int('pods when autoscaling is off', 0),
    strategy: map('Deployment strategy (RollingUpdate or Recreate)', true),
    logLevel: { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], description: 'LOG_LEVEL' },
    database: obj("this service's own PostgreSQL", {
      existingSecret: str('existing Secret holding the URL; default <platformName>-<service>-db'),
      existingSecretKey: str('key of the URL in that Secret', { minLength: 1 }),
      networkPolicy: obj('where the database is: egress allowed from this service only', {
        cidrs: list('CIDRs of the database', cidr),
        port: port('database port'),
      }),
    }),
    migrations: obj('the pre-install/pre-upgrade migration hook Job', {
      enabled: bool('run migrations in a hook Job (pods never migrate)'),
      backoffLimit: int('retries of the Job'),
      activeDeadlineSeconds: int('longest the Job may run', 1),
      resources: resources('resources of the migration container'),
    }),
    service: obj('the Kubernetes Service', {
      type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'], description: 'Service type' },
      grpcPort: port('gRPC port (GRPC_PORT)'),
      httpPort: port('HTTP port: /healthz, /readyz, /metrics (HTTP_PORT)'),
      annotations: map('Service annotations', { type: 'string' }),
    }),
    serviceAccount: obj('the pods\' ServiceAccount', {
      create: bool('create it'),
      name: str('its name; default the object name'),
      annotations: map('ServiceAccount annotations', { type: 'string' }),
    }),
    podLabels: map('extra pod labels', { type: 'string' }),
    podAnnotations: map('extra pod annotations', { type: 'string' }),
    priorityClassName: str('PriorityClass of the pods'),
    resources: resources('resources of the service container'),
    podSecurityContext: map('PodSecurityContext (defaults: non-root uid 1000, seccomp RuntimeDefault)', true),
    securityContext: map('container SecurityContext (defaults: read-only root filesystem, no privilege escalation, all capabilities dropped)', true),
    tmpSizeLimit: quantity('size limit of the /tmp emptyDir'),
    dataSizeLimit: quantity('size limit of the /data emptyDir'),
    probes: obj('probe timing (the endpoints are fixed: /healthz and /readyz)', {
      startup: obj('startupProbe on /healthz', { periodSeconds: int('seconds between probes', 1), failureThreshold: int('failures before a restart', 1) }),
      readiness: obj('readinessProbe on /readyz', { periodSeconds: int('seconds between probes', 1), failureThreshold: int('failures before unready', 1) }),
      liveness: obj('livenessProbe on /healthz', { periodSeconds: int('seconds between probes', 1), failureThreshold: int('failures before a restart', 1) }),
    }),
    shutdown: obj('graceful termination', {
      preStopSeconds: int('wait before SIGTERM so endpoints are removed first', 0, { maximum: 120 }),
      drainSeconds: int('SHUTDOWN_GRACE: how long in-flight calls may finish after SIGTERM', 1, { maximum: 600 }),
    }),
    podDisruptionBudget: obj('PodDisruptionBudget', {
      enabled: bool('create it'),
      maxUnavailable: { type: ['integer', 'string', 'null'], description: 'pods that may be down at once (number or percentage)' },
      minAvailable: { type: ['integer', 'string', 'null'], description: 'pods that must stay up (wins over maxUnavailable)' },
    }),
    autoscaling: obj('HorizontalPodAutoscaler', {
      enabled: bool('create it (the Deployment then has no replica count)'),
      minReplicas: int('fewest pods', 1),
      maxReplicas: int('most pods', 1),
      targetCPUUtilizationPercentage: int('target CPU, % of the request', 1, { maximum: 100 }),
      targetMemoryUtilizationPercentage: { type: ['integer', 'null'], minimum: 1, maximum: 100, description: 'target memory, % of the request (unset: CPU only)' },
    }),
    networkPolicy: obj('NetworkPolicies (only the arrows of the architecture)', {
      enabled: bool('create them'),
      metricsFrom: list('NetworkPolicyPeer entries allowed to scrape /metrics'),
      extraIngress: list('extra NetworkPolicyIngressRule entries'),
      extraEgress: list('extra NetworkPolicyEgressRule entries'),
      kubernetesApiCidrs: list('CIDRs of the Kubernetes API server', cidr),
    }),
    topologySpread: obj('spread pods across zones and nodes', {
      enabled: bool('add topologySpreadConstraints'),
      maxSkew: int('most extra pods in one zone or node', 1),
      whenUnsatisfiable: { enum: ['ScheduleAnyway', 'DoNotSchedule'], description: 'what to do when the spread cannot hold' },
    }),
    nodeSelector: map('node selector', { type: 'string' }),
    tolerations: list('tolerations'),
    affinity: map('affinity', true),
    serviceMonitor: obj('Prometheus Operator ServiceMonitor', {
      enabled: bool('create it (needs the CRDs)'),
      interval: duration('scrape interval'),
      scrapeTimeout: duration('scrape timeout'),
      labels: map('labels your Prometheus selects ServiceMonitors by', { type: 'string' }),
    }),
    otel: obj('OpenTelemetry export', {
      endpoint: str('OTLP/HTTP collector base URL; default global.otel.endpoint', { pattern: '^(https?://.+)?$' }),
      collectorPort: port('collector port egress is opened to'),
    }),
    config: {
      ...map(`more settings as environment variables (docs/how-to/operator.md); the ones ${service} reads`, { type: ['string', 'number', 'boolean'] }),
      propertyNames: { enum: configurableVariables(service) },
    },
    extraEnv: list('raw container env entries'),
  };
}

const secretRef = (description, key, optionalDescription) => ({
  existingSecret: str(description),
  ...(key === undefined ? {} : { existingSecretKey: str('key in that Secret', { minLength: 1 }) }),
  optional: bool(optionalDescription),
});
const peer = (service) => str(`host:port of ${service} gRPC; default <platformName>-${service}:<its port>`, { pattern: '^([^:]+:[0-9]{1,5})?$' });

/** Each chart's own values. */
const OWN = {
  gateway: {
    inferenceAddress: peer('inference-service'),
    adminTokens: obj('GATEWAY_ADMIN_TOKENS', secretRef('existing Secret; default <platformName>-gateway-admin-tokens', 'tokens', 'start without it')),
    auth: obj('API keys', { disabled: bool('serve without API keys (never in production)') }),
    traffic: obj('request path limits', {
      defaultDeadline: duration('DEFAULT_DEADLINE'),
      defaultRateLimitPerSecond: int('DEFAULT_RATE_LIMIT_PER_SECOND', 1),
      maxInFlight: int('MAX_IN_FLIGHT', 1),
      maxBodyBytes: int('MAX_BODY_BYTES', 1),
      cacheTtl: duration('CACHE_TTL'),
    }),
    ingress: obj('an Ingress for the REST API', {
      enabled: bool('create it'),
      className: str('IngressClass'),
      annotations: map('Ingress annotations', { type: 'string' }),
      hosts: list('hosts and paths', obj('a host', { host: str('host name', { minLength: 1 }), paths: list('path prefixes', { type: 'string', pattern: '^/' }) }, { required: ['host', 'paths'] })),
      tls: list('IngressTLS entries'),
    }),
  },
  'feature-service': {
    imports: obj('files ImportFile reads (IMPORT_ROOT=/imports)', {
      existingClaim: str('PersistentVolumeClaim holding them; empty: a scratch emptyDir'),
      readOnly: bool('mount the claim read-only'),
      sizeLimit: quantity('size of the scratch emptyDir'),
    }),
  },
  'training-runner': {
    featureServiceAddress: peer('feature-service'),
    registryAddress: peer('registry-service'),
    registryToken: obj('REGISTRY_TOKEN (key `token`)', secretRef('existing Secret; default <platformName>-training-runner-registry-token', undefined, 'start without it')),
    executor: obj('where training runs', {
      type: { enum: ['local', 'kubernetes'], description: 'local worker threads, or one Kubernetes Job per training job' },
      concurrency: int('TRAINING_CONCURRENCY', 1),
      kubernetes: obj('the kubernetes executor', { image: str('image of training Job pods; default this chart\'s image') }),
    }),
  },
  'registry-service': {
    featureServiceAddress: peer('feature-service'),
    tokens: obj('REGISTRY_TOKENS', secretRef('existing Secret; default <platformName>-registry-service-tokens', 'tokens', 'start without it (every mutation refused)')),
    artifacts: obj('the artifact store (ARTIFACT_DIR=/artifacts)', {
      maxBytes: int('MAX_ARTIFACT_BYTES', 1),
      persistence: obj('its volume', {
        enabled: bool('a PersistentVolumeClaim (false: emptyDir, for trials)'),
        existingClaim: str('use this claim instead of creating one'),
        storageClass: str('StorageClass of the claim'),
        accessModes: list('access modes', { enum: ['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany'] }),
        size: quantity('size of the claim'),
      }),
    }),
  },
  'inference-service': {
    registryAddress: peer('registry-service'),
    featureServiceAddress: peer('feature-service'),
    batching: obj('dynamic batching', { maxSize: int('BATCH_MAX_SIZE', 1), maxDelay: duration('BATCH_MAX_DELAY') }),
    featureFetchDeadline: duration('FEATURE_FETCH_DEADLINE'),
    modelMemoryBudgetMb: int('MODEL_MEMORY_BUDGET_MB', 1),
  },
};

/** Rules across values: each holds with a message naming the fields. */
const RULES = {
  'training-runner': [
    {
      // The kubernetes executor's Job pods read the database URL from key `url` (KUBERNETES_DATABASE_SECRET).
      if: { properties: { executor: { properties: { type: { const: 'kubernetes' } }, required: ['type'] } }, required: ['executor'] },
      then: { properties: { database: { properties: { existingSecretKey: { const: 'url' } } } } },
    },
  ],
};

function serviceSchema(chart) {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `${chart} chart values`,
    description: `Values of deploy/helm/${chart}; every key is documented in its values.yaml. Written by tools/helm/values-schemas.js.`,
    type: 'object',
    additionalProperties: false,
    properties: { ...commonProperties(chart), ...OWN[chart] },
    ...(RULES[chart] === undefined ? {} : { allOf: RULES[chart] }),
  };
}

function umbrellaSchema() {
  // Each service's values are checked by its own chart's schema; here only the shape.
  const service = (name) => ({ type: 'object', description: `values of the ${name} chart: every key in deploy/helm/${name}/README.md`, properties: { enabled: bool(`install ${name}`) } });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'strata umbrella chart values',
    description: 'Values of deploy/helm/strata. Written by tools/helm/values-schemas.js.',
    type: 'object',
    additionalProperties: false,
    properties: { global, ...Object.fromEntries(Object.keys(OWN).map((name) => [name, service(name)])) },
  };
}

function schemas() {
  return new Map([...Object.keys(OWN).map((chart) => [chart, serviceSchema(chart)]), ['strata', umbrellaSchema()]]);
}

/** Every documented leaf of a schema: [path, type, description], objects with their own properties walked into. */
function leaves(schema, prefix = '') {
  const rows = [];
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (key === 'strata-common') continue; // Helm's key for the library chart: nothing to set
    const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `"${key}"`;
    const at = prefix === '' ? name : `${prefix}.${name}`;
    if (property.properties !== undefined && Object.keys(property.properties).length > 0 && property.additionalProperties === false) {
      rows.push(...leaves(property, at));
    } else {
      const type = property.enum !== undefined ? property.enum.map((value) => `\`${value}\``).join(' \\| ') : [property.type ?? 'any'].flat().join(' \\| ');
      const keys = property.propertyNames?.enum;
      const description = `${property.description ?? ''}${keys === undefined ? '' : ` (keys: ${keys.map((k) => `\`${k}\``).join(', ')})`}`;
      rows.push([at, type, description]);
    }
  }
  return rows;
}

/** The value at a dotted path of values.yaml, shown compactly. */
function defaultOf(values, at) {
  let value = values;
  for (const part of at.split('.').map((p) => p.replace(/^"|"$/g, ''))) value = value === null || typeof value !== 'object' ? undefined : value[part];
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return `\`${text.length > 60 ? `${text.slice(0, 57)}...` : text}\``;
}

function readme(chart, schema) {
  const meta = YAML.parse(fs.readFileSync(path.join(root, chart, 'Chart.yaml'), 'utf8'));
  const values = YAML.parse(fs.readFileSync(path.join(root, chart, 'values.yaml'), 'utf8'));
  const install =
    chart === 'strata'
      ? 'helm install strata deploy/helm/strata -n strata --create-namespace -f my-values.yaml'
      : `helm install strata-${chart} deploy/helm/${chart} -n strata -f my-values.yaml`;
  const cell = (text) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const rows = leaves(schema).map(([at, type, description]) => `| \`${at}\` | ${type} | ${defaultOf(values, at)} | ${cell(description)} |`);
  return [
    `# ${meta.name} (chart ${meta.version}, app ${meta.appVersion})`,
    '',
    meta.description,
    '',
    '```sh',
    `helm dependency update deploy/helm/${chart}`,
    install,
    '```',
    '',
    'How to install, upgrade and roll back, what the chart renders and what it needs (Secrets, images):',
    '[docs/deploy.md](../../../docs/deploy.md). Every value below is checked by `values.schema.json`;',
    '`values.yaml` has the same values with longer comments.',
    '',
    '<!-- Written by tools/helm/values-schemas.js: edit the schema description there, not this file. -->',
    '',
    '| value | type | default | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function main() {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const [chart, schema] of schemas()) {
    const outputs = [
      [path.join(root, chart, 'values.schema.json'), `${JSON.stringify(schema, null, 2)}\n`],
      [path.join(root, chart, 'README.md'), readme(chart, schema)],
    ];
    for (const [file, text] of outputs) {
      const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      if (current === text) continue;
      if (check) stale.push(path.relative(process.cwd(), file));
      else fs.writeFileSync(file, text);
    }
  }
  if (stale.length > 0) {
    console.error(`out of date (run node tools/helm/values-schemas.js): ${stale.join(', ')}`);
    process.exit(1);
  }
}

if (require.main === module) main();
module.exports = { schemas };
