import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { TRAINING_CONFIG, type TrainingConfig } from '../config/training.config';
import { connectKubernetesJobsApi, KubernetesExecutor } from '../executor/kubernetes';
import type { TrainingJobRecord } from '../jobs/training-job';

/**
 * TRAINING_EXECUTOR=kubernetes: runs a claimed job as a Kubernetes Job (this image with
 * `--run-job <id>`, recording progress under this runner's lease) and follows it to its end.
 * The cluster connection is made on first use (in-cluster config, else ~/.kube/config).
 */
@Injectable()
export class KubernetesLauncher {
  private executor: Promise<KubernetesExecutor> | undefined;

  constructor(
    @Inject(TRAINING_CONFIG) private readonly config: TrainingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async run(job: TrainingJobRecord, leaseOwner: string, signal: AbortSignal): Promise<'succeeded' | 'failed'> {
    const executor = await this.connect();
    return executor.run(job.id, { timeoutSeconds: Math.ceil(job.spec.plan.timeoutMs / 1000), leaseOwner }, signal);
  }

  private connect(): Promise<KubernetesExecutor> {
    this.executor ??= connectKubernetesJobsApi('default').then(
      (api) =>
        new KubernetesExecutor(
          api,
          {
            namespace: this.config.kubernetesNamespace,
            image: this.config.kubernetesImage,
            serviceAccountName: this.config.kubernetesServiceAccount,
            databaseUrlSecret: { name: this.config.kubernetesDatabaseSecret, key: 'url' },
            ...(this.config.kubernetesRegistryTokenSecret === undefined ? {} : { registryTokenSecret: { name: this.config.kubernetesRegistryTokenSecret, key: 'token' } }),
            featureServiceAddress: this.config.featureServiceAddress ?? '',
            registryAddress: this.config.registryAddress ?? '',
          },
          { log: (message) => this.logger.info(message) },
        ),
    );
    return this.executor;
  }
}
