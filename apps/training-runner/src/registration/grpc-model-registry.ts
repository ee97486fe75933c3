import { type Client, type ClientWritableStream, Metadata, type ServiceError } from '@grpc/grpc-js';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type registryV1 } from '@strata/contracts';
import { TRAINING_CONFIG, type TrainingConfig } from '../config/training.config';
import { callUnary, createStrataClient, grpcErrorText, isTransientGrpcError, type UnaryMethod } from '@strata/service-runtime';
import { ModelRegistry, type RegisteredVersion, RegistrationError, type VersionRegistration } from './model-registry';

const CHUNK_BYTES = 256 * 1024;
const DEADLINE_MS = 5 * 60_000;

interface RegistryClient extends Client {
  CreateModel: UnaryMethod<registryV1.CreateModelRequest, registryV1.CreateModelResponse>;
  RegisterVersion(metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response?: registryV1.RegisterVersionResponse) => void): ClientWritableStream<registryV1.RegisterVersionRequest>;
}

/** {@link ModelRegistry} over strata.registry.v1 at REGISTRY_ADDRESS, authenticated with REGISTRY_TOKEN. */
@Injectable()
export class GrpcModelRegistry extends ModelRegistry implements OnModuleDestroy {
  private client: RegistryClient | undefined;

  constructor(@Inject(TRAINING_CONFIG) private readonly config: Pick<TrainingConfig, 'registryAddress' | 'registryToken'>) {
    super();
  }

  onModuleDestroy(): void {
    this.client?.close();
    this.client = undefined;
  }

  async register(registration: VersionRegistration, jobId: string): Promise<RegisteredVersion> {
    const client = this.connect();
    try {
      await callUnary(client, client.CreateModel, { name: registration.modelName, description: '', owner: '', tags: {} }, this.metadata(), DEADLINE_MS);
      const response = await this.upload(client, registration, jobId);
      const version = response.version?.version;
      if (version === undefined) throw new RegistrationError('RegisterVersion answered without a version', true);
      return { version, alreadyExisted: response.alreadyExisted };
    } catch (error) {
      if (error instanceof RegistrationError) throw error;
      throw new RegistrationError(`the registry refused or could not take the version: ${grpcErrorText(error)}`, isTransientGrpcError(error));
    }
  }

  private upload(client: RegistryClient, registration: VersionRegistration, jobId: string): Promise<registryV1.RegisterVersionResponse> {
    return new Promise((resolve, reject) => {
      const call = client.RegisterVersion(this.metadata(), { deadline: Date.now() + DEADLINE_MS }, (error, response) => {
        if (error !== null) reject(error);
        else resolve(response as registryV1.RegisterVersionResponse);
      });
      const header: registryV1.RegisterVersionHeader = {
        modelName: registration.modelName,
        format: 'ARTIFACT_FORMAT_ONNX' as registryV1.ArtifactFormat,
        sha256: registration.sha256,
        sizeBytes: String(registration.content.byteLength),
        metrics: { ...registration.metrics },
        params: { ...registration.params },
        lineage: {
          trainingJobId: jobId,
          datasetSnapshotId: registration.lineage.datasetSnapshotId,
          datasetSnapshotDigest: registration.lineage.datasetSnapshotDigest,
          featureContracts: registration.lineage.featureContracts.map((contract) => ({ featureSet: { name: contract.name, version: contract.version }, digest: contract.digest })),
          codeVersion: registration.lineage.codeVersion,
        },
        tags: { ...registration.tags },
        inputBindings: registration.inputBindings.map((binding) => ({ input: binding.input, features: [...binding.features] })),
        description: registration.description,
      };
      call.write({ header });
      for (let offset = 0; offset < registration.content.byteLength; offset += CHUNK_BYTES) {
        call.write({ chunk: Buffer.from(registration.content.subarray(offset, offset + CHUNK_BYTES)) });
      }
      call.end();
    });
  }

  private metadata(): Metadata {
    const metadata = new Metadata();
    if (this.config.registryToken !== '') metadata.set('authorization', `Bearer ${this.config.registryToken}`);
    return metadata;
  }

  private connect(): RegistryClient {
    const address = this.config.registryAddress;
    if (address === undefined || address === '') throw new RegistrationError('REGISTRY_ADDRESS is not set: the runner cannot register versions', false);
    this.client ??= createStrataClient<RegistryClient>('registryV1', 'RegistryService', address);
    return this.client;
  }
}
