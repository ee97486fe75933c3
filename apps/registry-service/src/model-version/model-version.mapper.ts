import { commonV1, registryV1 } from '@strata/contracts';
import { InvalidArgumentError } from '@strata/service-runtime';
import { toEvidenceMessage } from '../evidence/evidence.mapper';
import { toTimestamp } from '@strata/service-runtime';
import type { Lineage, ModelSignature, ModelVersion, RegistrationHeader, TensorSpec, UploadPart, VersionSelector, VersionStatus } from './model-version';

const DATATYPE_PREFIX = 'TENSOR_DATA_TYPE_';

const STATUS_TO_PROTO: Record<VersionStatus, registryV1.VersionStatus> = {
  active: registryV1.VersionStatus.VERSION_STATUS_ACTIVE,
  deprecated: registryV1.VersionStatus.VERSION_STATUS_DEPRECATED,
  archived: registryV1.VersionStatus.VERSION_STATUS_ARCHIVED,
};

/** The domain status of a proto status; undefined for UNSPECIFIED. */
export function statusOf(status: registryV1.VersionStatus): VersionStatus | undefined {
  return (Object.keys(STATUS_TO_PROTO) as VersionStatus[]).find((key) => STATUS_TO_PROTO[key] === status);
}

/** One RegisterVersion message as an upload part. */
export function uploadPartOf(request: registryV1.RegisterVersionRequest): UploadPart {
  if (request.header !== undefined && request.header !== null) return { kind: 'header', header: registrationHeaderOf(request.header) };
  if (request.chunk !== undefined && request.chunk !== null) return { kind: 'chunk', bytes: request.chunk };
  throw new InvalidArgumentError('a RegisterVersion message carries neither header nor chunk', [{ field: 'content', description: 'set header or chunk' }]);
}

/** A ModelRef as a version selector (number, alias, or neither). */
export function selectorOf(ref: commonV1.ModelRef | null | undefined): VersionSelector {
  const modelName = ref?.name ?? '';
  if (ref?.version !== undefined && ref.version !== null) return { modelName, version: ref.version };
  if (ref?.alias !== undefined && ref.alias !== null) return { modelName, alias: ref.alias };
  return { modelName };
}

export function toVersionMessage(version: ModelVersion): registryV1.ModelVersion {
  return {
    modelName: version.modelName,
    version: version.version,
    status: STATUS_TO_PROTO[version.status],
    artifact: toArtifactMessage(version),
    signature: toSignatureMessage(version.signature),
    declaredSignature: version.declaredSignature === undefined ? null : toSignatureMessage(version.declaredSignature),
    inputBindings: version.inputBindings.map((binding) => ({ input: binding.input, features: [...binding.features] })),
    metrics: { ...version.metrics },
    params: { ...version.params },
    lineage: toLineageMessage(version.lineage),
    tags: { ...version.tags },
    description: version.description,
    aliases: [...version.aliases],
    aliasHistory: [...version.aliasHistory],
    evidence: version.evidence.map(toEvidenceMessage),
    createdBy: version.createdBy,
    createdAt: toTimestamp(version.createdAt),
  };
}

export function toArtifactMessage(version: ModelVersion): registryV1.Artifact {
  return { format: registryV1.ArtifactFormat.ARTIFACT_FORMAT_ONNX, sha256: version.artifact.sha256, sizeBytes: String(version.artifact.sizeBytes) };
}

function registrationHeaderOf(header: registryV1.RegisterVersionHeader): RegistrationHeader {
  const sizeBytes = Number(header.sizeBytes);
  return {
    modelName: header.modelName,
    format: header.format === registryV1.ArtifactFormat.ARTIFACT_FORMAT_ONNX ? 'onnx' : 'unspecified',
    sha256: header.sha256,
    sizeBytes: Number.isSafeInteger(sizeBytes) ? sizeBytes : -1,
    metrics: { ...header.metrics },
    params: { ...header.params },
    lineage: lineageOf(header.lineage),
    tags: { ...header.tags },
    declaredSignature: header.declaredSignature === undefined || header.declaredSignature === null ? undefined : signatureOf(header.declaredSignature),
    inputBindings: header.inputBindings.map((binding) => ({ input: binding.input, features: [...binding.features] })),
    description: header.description,
  };
}

function lineageOf(lineage: registryV1.Lineage | null | undefined): Lineage {
  return {
    trainingJobId: lineage?.trainingJobId ?? '',
    datasetSnapshotId: lineage?.datasetSnapshotId ?? '',
    datasetSnapshotDigest: lineage?.datasetSnapshotDigest ?? '',
    featureContracts: (lineage?.featureContracts ?? []).map((contract) => ({
      featureSet: { name: contract.featureSet?.name ?? '', version: contract.featureSet?.version ?? 0 },
      digest: contract.digest,
    })),
    codeVersion: lineage?.codeVersion ?? '',
  };
}

function toLineageMessage(lineage: Lineage): registryV1.Lineage {
  return {
    trainingJobId: lineage.trainingJobId,
    datasetSnapshotId: lineage.datasetSnapshotId,
    datasetSnapshotDigest: lineage.datasetSnapshotDigest,
    featureContracts: lineage.featureContracts.map((contract) => ({ featureSet: { ...contract.featureSet }, digest: contract.digest })),
    codeVersion: lineage.codeVersion,
  };
}

function signatureOf(signature: registryV1.ModelSignature): ModelSignature {
  const spec = (tensor: registryV1.TensorSpec): TensorSpec => ({
    name: tensor.name,
    datatype: tensor.datatype === commonV1.TensorDataType.TENSOR_DATA_TYPE_UNSPECIFIED ? '' : tensor.datatype.slice(DATATYPE_PREFIX.length),
    shape: tensor.shape.map(Number),
  });
  return { inputs: signature.inputs.map(spec), outputs: signature.outputs.map(spec) };
}

function toSignatureMessage(signature: ModelSignature): registryV1.ModelSignature {
  const spec = (tensor: TensorSpec): registryV1.TensorSpec => ({ name: tensor.name, datatype: toDatatype(tensor.datatype), shape: tensor.shape.map(String) });
  return { inputs: signature.inputs.map(spec), outputs: signature.outputs.map(spec) };
}

function toDatatype(datatype: string): commonV1.TensorDataType {
  const name = `${DATATYPE_PREFIX}${datatype}`;
  return Object.values(commonV1.TensorDataType).includes(name as commonV1.TensorDataType) ? (name as commonV1.TensorDataType) : commonV1.TensorDataType.TENSOR_DATA_TYPE_UNSPECIFIED;
}
