/** A model version to register: the ONNX file and everything the registry records with it. */
export interface VersionRegistration {
  readonly modelName: string;
  readonly content: Uint8Array;
  /** Bare lowercase hex. */
  readonly sha256: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly params: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly description: string;
  readonly lineage: {
    readonly trainingJobId: string;
    readonly datasetSnapshotId: string;
    readonly datasetSnapshotDigest: string;
    readonly featureContracts: readonly { readonly name: string; readonly version: number; readonly digest: string }[];
    readonly codeVersion: string;
  };
  /** Model input → the feature names of its columns, in order (qualified = fetched online; plain = request-time). */
  readonly inputBindings: readonly { readonly input: string; readonly features: readonly string[] }[];
}

/** What the registry answered. */
export interface RegisteredVersion {
  readonly version: number;
  /** True when the same bytes were already registered (the existing version is returned). */
  readonly alreadyExisted: boolean;
}

/**
 * The model registry as training sees it: creates the model if needed and registers a version.
 * Implemented over strata.registry.v1 gRPC; fakes in unit tests.
 */
export abstract class ModelRegistry {
  abstract register(registration: VersionRegistration, jobId: string): Promise<RegisteredVersion>;
}

/** A registration that failed; `retryable` when the registry was unreachable rather than refusing. */
export class RegistrationError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'RegistrationError';
  }
}
