import type { FieldViolation } from '@strata/service-runtime';
import { modelNameViolation } from '../model/model-name';
import type { InputBinding, ModelSignature, RegistrationHeader } from './model-version';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const PREFIXED_SHA256 = /^sha256:[0-9a-f]{64}$/;

/** What is wrong with an upload header on its own (before any byte arrives). */
export function headerViolations(header: RegistrationHeader): FieldViolation[] {
  const violations: (FieldViolation | undefined)[] = [
    modelNameViolation('header.model_name', header.modelName),
    header.format === 'onnx' ? undefined : { field: 'header.format', description: 'required: ARTIFACT_FORMAT_ONNX' },
    SHA256_HEX.test(header.sha256) ? undefined : { field: 'header.sha256', description: 'required: the SHA-256 of the file as 64 lowercase hex characters' },
    Number.isSafeInteger(header.sizeBytes) && header.sizeBytes > 0 ? undefined : { field: 'header.size_bytes', description: 'required: the file size in bytes, > 0' },
    ...Object.entries(header.metrics)
      .filter(([, value]) => !Number.isFinite(value))
      .map(([name]) => ({ field: `header.metrics[${name}]`, description: 'must be a finite number' })),
    header.lineage.datasetSnapshotDigest === '' || PREFIXED_SHA256.test(header.lineage.datasetSnapshotDigest)
      ? undefined
      : { field: 'header.lineage.dataset_snapshot_digest', description: 'expected sha256:<64 hex>' },
    ...header.lineage.featureContracts.flatMap((contract, index) => {
      const field = `header.lineage.feature_contracts[${index}]`;
      return [
        contract.featureSet.name === '' ? { field: `${field}.feature_set.name`, description: 'required' } : undefined,
        contract.featureSet.version >= 1 ? undefined : { field: `${field}.feature_set.version`, description: 'must be >= 1' },
        contract.digest === '' || PREFIXED_SHA256.test(contract.digest) ? undefined : { field: `${field}.digest`, description: 'expected sha256:<64 hex> or empty' },
      ];
    }),
    ...header.inputBindings.flatMap((binding, index) => bindingShapeViolations(binding, index, header.inputBindings)),
  ];
  return violations.filter((violation): violation is FieldViolation => violation !== undefined);
}

/** Input bindings naming inputs the artifact does not have. */
export function bindingSignatureViolations(bindings: readonly InputBinding[], signature: ModelSignature): FieldViolation[] {
  const inputs = new Set(signature.inputs.map((input) => input.name));
  return bindings.flatMap((binding, index) =>
    inputs.has(binding.input)
      ? []
      : [{ field: `header.input_bindings[${index}].input`, description: `the model has no input "${binding.input}" (inputs: ${[...inputs].join(', ')})` }],
  );
}

/** The received bytes against what the header declared. */
export function receivedViolations(header: RegistrationHeader, received: { sha256: string; sizeBytes: number }): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (received.sizeBytes !== header.sizeBytes) {
    violations.push({ field: 'header.size_bytes', description: `declared ${header.sizeBytes} bytes, received ${received.sizeBytes}` });
  }
  if (received.sha256 !== header.sha256) {
    violations.push({ field: 'header.sha256', description: `declared ${header.sha256}, received bytes hash to ${received.sha256}` });
  }
  return violations;
}

/** True when the declared signature says something other than the artifact. */
export function signaturesDiffer(declared: ModelSignature | undefined, actual: ModelSignature): boolean {
  if (declared === undefined || (declared.inputs.length === 0 && declared.outputs.length === 0)) return false;
  return JSON.stringify(declared) !== JSON.stringify(actual);
}

function bindingShapeViolations(binding: InputBinding, index: number, all: readonly InputBinding[]): (FieldViolation | undefined)[] {
  const field = `header.input_bindings[${index}]`;
  return [
    binding.input === '' ? { field: `${field}.input`, description: 'required' } : undefined,
    all.findIndex((other) => other.input === binding.input) !== index ? { field: `${field}.input`, description: `input "${binding.input}" is bound twice` } : undefined,
    binding.features.length === 0 ? { field: `${field}.features`, description: 'at least one feature' } : undefined,
    ...binding.features.map((feature, position) => (feature === '' ? { field: `${field}.features[${position}]`, description: 'must not be empty' } : undefined)),
  ];
}
