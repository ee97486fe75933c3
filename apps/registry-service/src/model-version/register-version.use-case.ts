import { Inject, Injectable } from '@nestjs/common';
import { InvalidArgumentError, LOGGER, ResourceExhaustedError } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { ArtifactStore, type BlobUpload } from '../artifact-store/artifact-store';
import type { Caller } from '../auth/caller';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import type { ModelKey } from '../model/model';
import { ModelService } from '../model/model.service';
import { ArtifactInspector, InvalidArtifactError } from './artifact-inspector';
import type { ModelSignature, ModelVersion, RegistrationHeader, UploadPart } from './model-version';
import { ModelVersionRepository } from './model-version.repository';
import { bindingSignatureViolations, headerViolations, receivedViolations, signaturesDiffer } from './registration-rules';

/** Outcome of RegisterVersion. */
export interface Registration {
  readonly version: ModelVersion;
  /** True when the model already had a version with these bytes. */
  readonly alreadyExisted: boolean;
}

/**
 * RegisterVersion: streams an upload into the artifact store while hashing it, verifies it
 * against its header, reads the signature from the ONNX file itself, puts the blob in place
 * and only then records the version (next number, or the existing version with that digest).
 * A crash at any point leaves at most an unreferenced blob, never a version without its blob.
 */
@Injectable()
export class RegisterVersionUseCase {
  constructor(
    private readonly models: ModelService,
    private readonly versions: ModelVersionRepository,
    private readonly artifacts: ArtifactStore,
    private readonly inspector: ArtifactInspector,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(parts: AsyncIterable<UploadPart>, caller: Caller): Promise<Registration> {
    const iterator = parts[Symbol.asyncIterator]();
    try {
      const header = await this.acceptHeader(iterator);
      const model = await this.models.require(header.modelName, 'header.model_name');
      const upload = await this.artifacts.beginUpload();
      try {
        await receiveChunks(iterator, upload, header.sizeBytes);
        return await this.register(model, header, upload, caller);
      } finally {
        await upload.abort();
      }
    } finally {
      await iterator.return?.();
    }
  }

  private async acceptHeader(iterator: AsyncIterator<UploadPart>): Promise<RegistrationHeader> {
    const first = await iterator.next();
    if (first.done === true || first.value.kind !== 'header') {
      throw new InvalidArgumentError('the first message must carry the header', [{ field: 'header', description: 'required in the first message' }]);
    }
    const { header } = first.value;
    const violations = headerViolations(header);
    if (violations.length > 0) throw InvalidArgumentError.listing('invalid RegisterVersion header', violations);
    if (header.sizeBytes > this.config.maxArtifactBytes) {
      throw new ResourceExhaustedError(`artifact of ${header.sizeBytes} bytes is larger than the limit of ${this.config.maxArtifactBytes} bytes`);
    }
    return header;
  }

  private async register(model: ModelKey, header: RegistrationHeader, upload: BlobUpload, caller: Caller): Promise<Registration> {
    const received = await upload.finish();
    const mismatches = receivedViolations(header, received);
    if (mismatches.length > 0) throw InvalidArgumentError.listing('the received artifact does not match the header', mismatches);

    const existing = await this.versions.findByDigest(model, received.sha256);
    if (existing !== undefined) return { version: existing, alreadyExisted: true };

    const signature = await this.signatureOf(await upload.readFinished());
    const bindingViolations = bindingSignatureViolations(header.inputBindings, signature);
    if (bindingViolations.length > 0) throw InvalidArgumentError.listing('input bindings do not match the model', bindingViolations);
    if (signaturesDiffer(header.declaredSignature, signature)) {
      this.logger.warn({ model: model.name, sha256: received.sha256 }, `declared signature of model=${model.name} differs from the artifact's; the artifact's is recorded`);
    }

    // The blob is in place before the version exists: a crash in between leaves an unreferenced blob only.
    await upload.commit();
    const registration = await this.versions.registerNext(
      model,
      { ...header, artifact: { format: 'onnx', sha256: received.sha256, sizeBytes: received.sizeBytes }, signature, createdBy: caller.subject },
      (version) => ({
        caller,
        action: 'version_registered',
        modelName: model.name,
        version: version.version,
        after: { version: version.version, status: version.status, artifact: version.artifact, metrics: version.metrics, lineage: version.lineage },
      }),
    );
    const { version } = registration;
    if (!registration.alreadyExisted) {
      this.logger.info(
        { model: model.name, version: version.version, sha256: version.artifact.sha256, actor: caller.subject },
        `registered model=${model.name} version=${version.version} digest=${version.artifact.sha256.slice(0, 12)}… size=${version.artifact.sizeBytes}`,
      );
    }
    return registration;
  }

  private async signatureOf(bytes: Buffer): Promise<ModelSignature> {
    try {
      return await this.inspector.signatureOf(bytes);
    } catch (error) {
      if (!(error instanceof InvalidArtifactError)) throw error;
      throw new InvalidArgumentError(`not a valid ONNX model: ${error.message}`, [{ field: 'chunk', description: error.message }]);
    }
  }
}

// Every byte goes straight to the temporary file; more bytes than declared (the declared size
// is already within MAX_ARTIFACT_BYTES) stop the upload at once.
async function receiveChunks(iterator: AsyncIterator<UploadPart>, upload: BlobUpload, declaredBytes: number): Promise<void> {
  for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
    const part = next.value;
    if (part.kind === 'header') throw new InvalidArgumentError('only the first message may carry a header', [{ field: 'header', description: 'sent twice' }]);
    if (upload.bytesWritten + part.bytes.byteLength > declaredBytes) {
      throw new InvalidArgumentError('the artifact is larger than declared', [
        { field: 'header.size_bytes', description: `declared ${declaredBytes} bytes, received more than that` },
      ]);
    }
    if (part.bytes.byteLength > 0) await upload.write(part.bytes);
  }
}
