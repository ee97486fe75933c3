// Type-only import: erased at compile time, so building a manifest never loads the (ESM-only) client package.
import type { V1EnvVar, V1Job, V1ResourceRequirements } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';

/** Prefix of every training Job name. */
export const TRAINING_JOB_NAME_PREFIX = 'strata-train-';
/** Label keys of training Jobs and their pods. */
export const TRAINING_JOB_LABELS = { name: 'app.kubernetes.io/name', component: 'app.kubernetes.io/component', jobId: 'strata.dev/job-id' } as const;
/** The pod's script, relative to the image's working directory (the layout of `dist/training-runner`). */
export const DEFAULT_ENTRYPOINT = 'apps/training-runner/src/main.js';
/** The pod trains in-process: without this it would read the runner's executor setting and create another Job. */
export const EXECUTOR_ENV = { name: 'TRAINING_EXECUTOR', value: 'local' } as const;

const DNS_LABEL_MAX = 63;
const DEFAULT_TTL_SECONDS_AFTER_FINISHED = 3600;
/** `node` in the official Node images; runAsNonRoot needs a numeric user when the image names one by name. */
const DEFAULT_UID = 1000;
const LABEL_VALUE = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;

/** Compute resources (ContainerResources of training.proto): Kubernetes quantities; empty/0 = cluster default. */
export interface ContainerResourcesSpec {
  /** CPU request and limit, e.g. `2` or `500m`. */
  readonly cpu?: string;
  /** Memory request and limit, e.g. `4Gi`. */
  readonly memory?: string;
  /** `nvidia.com/gpu` count. */
  readonly gpus?: number;
}

/** Where the pod finds the runner's database URL. */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

/** The runner-wide settings of training Jobs (from the service config). */
export interface KubernetesExecutorConfig {
  readonly namespace: string;
  /** The training-runner image, ideally pinned by digest. */
  readonly image: string;
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  readonly serviceAccountName: string;
  readonly databaseUrlSecret: SecretKeyRef;
  /** Secret holding the registry token (REGISTRY_TOKEN); unset = the pod registers without one. */
  readonly registryTokenSecret?: SecretKeyRef;
  readonly featureServiceAddress: string;
  readonly registryAddress: string;
  /** OTLP/HTTP collector base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); unset = no span export. */
  readonly otelEndpoint?: string;
  /** `OTEL_SERVICE_NAME` of the pod; default `training-runner`. */
  readonly otelServiceName?: string;
  /** Finished Jobs (and their pods and logs) are garbage-collected after this; default 3600. */
  readonly ttlSecondsAfterFinished?: number;
  /** Size limit of the `/tmp` emptyDir, e.g. `2Gi`; unset = node default. */
  readonly tmpSizeLimit?: string;
  /** Script run by `node`; default {@link DEFAULT_ENTRYPOINT}. */
  readonly entrypoint?: string;
  /** Pod user and group ID; default 1000. */
  readonly runAsUser?: number;
}

/** What differs per training job. */
export interface TrainingJobRunOptions {
  /** The job's wall-clock limit per attempt; becomes `activeDeadlineSeconds`. */
  readonly timeoutSeconds: number;
  readonly resources?: ContainerResourcesSpec;
  /** The lease owner of the runner that claimed the job: the pod records progress under it (JOB_LEASE_OWNER). */
  readonly leaseOwner?: string;
}

/** Everything {@link buildTrainingJobManifest} needs. */
export interface TrainingJobManifestOptions extends KubernetesExecutorConfig, TrainingJobRunOptions {
  readonly jobId: string;
}

/**
 * The Job name of a training job: `strata-train-` and the ID lowercased without dashes (a
 * UUID gives 45 characters). The whole ID is kept because creating an existing name adopts
 * that Job, and prefixes of UUIDv7s (a timestamp) collide; an ID too long for a DNS label is
 * cut and suffixed with a hash of the whole ID.
 */
export function trainingJobName(jobId: string): string {
  const room = DNS_LABEL_MAX - TRAINING_JOB_NAME_PREFIX.length;
  const id = jobId.toLowerCase().replace(/[^a-z0-9]+/g, '');
  if (id.length === 0) throw new RangeError(`job ID "${jobId}" has no letters or digits`);
  if (id.length <= room) return TRAINING_JOB_NAME_PREFIX + id;
  const hash = createHash('sha256').update(jobId).digest('hex').slice(0, 8);
  return `${TRAINING_JOB_NAME_PREFIX}${id.slice(0, room - hash.length - 1)}-${hash}`;
}

/**
 * A batch/v1 Job that runs the training-runner image in single-job mode
 * (`node apps/training-runner/src/main.js --run-job <jobId>`) with no retries of its own (the
 * runner's queue retries), a deadline from the job timeout and a locked-down pod.
 */
export function buildTrainingJobManifest(options: TrainingJobManifestOptions): V1Job {
  if (!LABEL_VALUE.test(options.jobId)) throw new RangeError(`job ID "${options.jobId}" is not a valid label value`);
  if (!(options.timeoutSeconds > 0)) throw new RangeError(`timeoutSeconds must be > 0, got ${options.timeoutSeconds}`);
  const labels = { [TRAINING_JOB_LABELS.name]: 'training-runner', [TRAINING_JOB_LABELS.component]: 'training-job', [TRAINING_JOB_LABELS.jobId]: options.jobId };
  const uid = options.runAsUser ?? DEFAULT_UID;
  const resources = resourceRequirements(options.resources);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: trainingJobName(options.jobId), namespace: options.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: Math.ceil(options.timeoutSeconds),
      ttlSecondsAfterFinished: options.ttlSecondsAfterFinished ?? DEFAULT_TTL_SECONDS_AFTER_FINISHED,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: options.serviceAccountName,
          // The pod talks to PostgreSQL and gRPC services, never to the Kubernetes API.
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'trainer',
              image: options.image,
              imagePullPolicy: options.imagePullPolicy ?? 'IfNotPresent',
              command: ['node', options.entrypoint ?? DEFAULT_ENTRYPOINT],
              args: ['--run-job', options.jobId],
              env: environment(options),
              ...(resources === undefined ? {} : { resources }),
              securityContext: {
                runAsNonRoot: true,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              // The root filesystem is read-only; dataset files and ONNX bytes go to /tmp.
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: options.tmpSizeLimit === undefined ? {} : { sizeLimit: options.tmpSizeLimit } }],
        },
      },
    },
  };
}

function environment(options: TrainingJobManifestOptions): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: options.databaseUrlSecret.name, key: options.databaseUrlSecret.key } } },
    { name: 'FEATURE_SERVICE_ADDRESS', value: options.featureServiceAddress },
    { name: 'REGISTRY_ADDRESS', value: options.registryAddress },
    { ...EXECUTOR_ENV },
    { name: 'OTEL_SERVICE_NAME', value: options.otelServiceName ?? 'training-runner' },
    { name: 'TMPDIR', value: '/tmp' },
    // The runner's release migrated the database; a training pod never migrates (and accepts a newer schema).
    { name: 'MIGRATE_ON_START', value: 'false' },
  ];
  if (options.otelEndpoint !== undefined) env.push({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: options.otelEndpoint });
  if (options.registryTokenSecret !== undefined) env.push({ name: 'REGISTRY_TOKEN', valueFrom: { secretKeyRef: { name: options.registryTokenSecret.name, key: options.registryTokenSecret.key } } });
  if (options.leaseOwner !== undefined) env.push({ name: 'JOB_LEASE_OWNER', value: options.leaseOwner });
  return env;
}

function resourceRequirements(resources: ContainerResourcesSpec | undefined): V1ResourceRequirements | undefined {
  const quantities: Record<string, string> = {};
  if (resources?.cpu) quantities['cpu'] = resources.cpu;
  if (resources?.memory) quantities['memory'] = resources.memory;
  if (resources?.gpus !== undefined && resources.gpus > 0) quantities['nvidia.com/gpu'] = String(resources.gpus);
  if (Object.keys(quantities).length === 0) return undefined;
  // Requests = limits: a training pod should not be throttled or evicted for using what it asked for.
  return { requests: { ...quantities }, limits: { ...quantities } };
}
