import type { Evidence } from '../evidence/evidence';

/** Lifecycle status: ACTIVE <-> DEPRECATED, either -> ARCHIVED (final). */
export type VersionStatus = 'active' | 'deprecated' | 'archived';

/** A model input or output: name, Open Inference Protocol datatype (`FP32`...), shape with -1 for dynamic dimensions. */
export interface TensorSpec {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

export interface ModelSignature {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

/** How one model input is assembled from features at prediction time. */
export interface InputBinding {
  readonly input: string;
  readonly features: readonly string[];
}

/** A feature set version and the digest of its definition (empty when unknown). */
export interface FeatureContract {
  readonly featureSet: { readonly name: string; readonly version: number };
  readonly digest: string;
}

/** Where a version came from. Empty strings mean "not given". */
export interface Lineage {
  readonly trainingJobId: string;
  readonly datasetSnapshotId: string;
  readonly datasetSnapshotDigest: string;
  readonly featureContracts: readonly FeatureContract[];
  readonly codeVersion: string;
}

/** The artifact file of a version. */
export interface ArtifactInfo {
  readonly format: 'onnx';
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** What a registration says about a version besides its bytes (the RegisterVersion header). */
export interface VersionMetadata {
  readonly metrics: Readonly<Record<string, number>>;
  readonly params: Readonly<Record<string, string>>;
  readonly lineage: Lineage;
  readonly tags: Readonly<Record<string, string>>;
  /** The signature the client declared; informational, the artifact's own signature is authoritative. */
  readonly declaredSignature: ModelSignature | undefined;
  readonly inputBindings: readonly InputBinding[];
  readonly description: string;
}

/** An immutable model version (only its status changes, and evidence is added). */
export interface ModelVersion extends VersionMetadata {
  readonly id: string;
  readonly modelId: string;
  readonly modelName: string;
  readonly version: number;
  readonly status: VersionStatus;
  readonly artifact: ArtifactInfo;
  /** Read from the artifact itself. */
  readonly signature: ModelSignature;
  /** Aliases pointing at this version now. */
  readonly aliases: readonly string[];
  /** Every alias that has ever pointed at this version. */
  readonly aliasHistory: readonly string[];
  /** Oldest first. */
  readonly evidence: readonly Evidence[];
  readonly createdBy: string;
  readonly createdAt: Date;
}

/** The header of an upload: which model, what the client says the bytes are, and the version's metadata. */
export interface RegistrationHeader extends VersionMetadata {
  readonly modelName: string;
  /** `unspecified` is refused. */
  readonly format: 'onnx' | 'unspecified';
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** One message of an upload: the header first, then chunks of the file. */
export type UploadPart = { readonly kind: 'header'; readonly header: RegistrationHeader } | { readonly kind: 'chunk'; readonly bytes: Buffer };

/** A version chosen by number or through an alias. */
export type VersionSelector =
  | { readonly modelName: string; readonly version: number }
  | { readonly modelName: string; readonly alias: string }
  | { readonly modelName: string };

/** Resolves to the highest version number (it cannot be used as an alias name). */
export const LATEST_ALIAS = 'latest';
