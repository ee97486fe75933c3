import { InvalidArgumentError, NotFoundError, ResourceExhaustedError } from '@strata/service-runtime';
import { createHash } from 'node:crypto';
import { InMemoryArtifactStore } from '../../test/fixtures/in-memory-artifact-store';
import { aCaller, aModel, aModelVersion, aRegistrationHeader, silentLogger } from '../../test/fixtures/registry-factories';
import type { AuditRecord } from '../audit-log/audit-entry';
import type { RegistryConfig } from '../config/registry.config';
import type { ModelKey } from '../model/model';
import type { ModelService } from '../model/model.service';
import { ArtifactInspector, InvalidArtifactError } from './artifact-inspector';
import type { ModelSignature, ModelVersion, RegistrationHeader, UploadPart } from './model-version';
import { UploadCancelledError } from './model-version.errors';
import type { ModelVersionRepository, NewVersion } from './model-version.repository';
import { RegisterVersionUseCase } from './register-version.use-case';

const ARTIFACT_SIGNATURE: ModelSignature = { inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 3] }], outputs: [{ name: 'output', datatype: 'FP32', shape: [-1, 1] }] };
const MODEL = aModel();

/** Reads any bytes as a model with ARTIFACT_SIGNATURE, except bytes starting with "bad". */
class FakeInspector extends ArtifactInspector {
  calls = 0;
  override async signatureOf(bytes: Uint8Array): Promise<ModelSignature> {
    this.calls += 1;
    if (Buffer.from(bytes).subarray(0, 3).toString() === 'bad') throw new InvalidArtifactError('not-protobuf', 'invalid ONNX model (not-protobuf): garbage');
    return ARTIFACT_SIGNATURE;
  }
}

/** ModelVersionRepository in memory. */
class FakeVersionRepository {
  readonly versions: ModelVersion[] = [];
  readonly audit: AuditRecord[] = [];

  async findByDigest(_model: ModelKey, sha256: string): Promise<ModelVersion | undefined> {
    return this.versions.find((version) => version.artifact.sha256 === sha256);
  }

  async registerNext(model: ModelKey, input: NewVersion, auditOf: (version: ModelVersion) => AuditRecord): Promise<{ version: ModelVersion; alreadyExisted: boolean }> {
    const version = aModelVersion({ ...input, modelName: model.name, version: this.versions.length + 1, aliases: [], evidence: [] });
    this.versions.push(version);
    this.audit.push(auditOf(version));
    return { version, alreadyExisted: false };
  }
}

const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The upload of `bytes` in chunks of 4 bytes, with a header that describes them truthfully unless overridden. */
function anUpload(bytes: Buffer, header: Partial<RegistrationHeader> = {}): UploadPart[] {
  const chunks: UploadPart[] = [];
  for (let at = 0; at < bytes.byteLength; at += 4) chunks.push({ kind: 'chunk', bytes: bytes.subarray(at, at + 4) });
  return [{ kind: 'header', header: aRegistrationHeader({ sha256: sha256Of(bytes), sizeBytes: bytes.byteLength, ...header }) }, ...chunks];
}

/** Yields the parts and counts how many were taken, like a client stream. */
function streamOf(parts: readonly UploadPart[], failAfter?: { parts: number; error: Error }): AsyncIterable<UploadPart> & { taken: number } {
  const stream = {
    taken: 0,
    async *[Symbol.asyncIterator](): AsyncGenerator<UploadPart> {
      for (const part of parts) {
        if (failAfter !== undefined && stream.taken === failAfter.parts) throw failAfter.error;
        stream.taken += 1;
        yield part;
      }
    },
  };
  return stream;
}

describe(RegisterVersionUseCase.name, () => {
  const bytes = Buffer.from('an onnx model, honestly');
  let versions: FakeVersionRepository;
  let artifacts: InMemoryArtifactStore;
  let inspector: FakeInspector;
  let useCase: RegisterVersionUseCase;

  beforeEach(() => {
    versions = new FakeVersionRepository();
    artifacts = new InMemoryArtifactStore();
    inspector = new FakeInspector();
    const models = {
      require: async (name: string) => {
        if (name !== MODEL.name) throw new NotFoundError(`model "${name}" not found`);
        return MODEL;
      },
    } as unknown as ModelService;
    const config = { maxArtifactBytes: 64 } as RegistryConfig;
    useCase = new RegisterVersionUseCase(models, versions as unknown as ModelVersionRepository, artifacts, inspector, config, silentLogger);
  });

  afterEach(() => expect(artifacts.openUploads).toBe(0));

  it('stores the blob, records the signature read from the artifact and audits the registration', async () => {
    const declared: ModelSignature = { inputs: [{ name: 'x', datatype: 'FP64', shape: [1] }], outputs: [] };

    const { version, alreadyExisted } = await useCase.execute(streamOf(anUpload(bytes, { declaredSignature: declared, metrics: { auc: 0.9 } })), aCaller('ci', 'trainer'));

    expect(alreadyExisted).toBe(false);
    expect(version).toMatchObject({ version: 1, signature: ARTIFACT_SIGNATURE, declaredSignature: declared, metrics: { auc: 0.9 }, createdBy: 'trainer' });
    expect(version.artifact).toEqual({ format: 'onnx', sha256: sha256Of(bytes), sizeBytes: bytes.byteLength });
    expect(artifacts.blobs.get(sha256Of(bytes))).toEqual(bytes);
    expect(versions.audit).toEqual([expect.objectContaining({ action: 'version_registered', modelName: MODEL.name, version: 1 })]);
  });

  it('returns the existing version with alreadyExisted for the same bytes, without inspecting them again', async () => {
    await useCase.execute(streamOf(anUpload(bytes)), aCaller());

    const again = await useCase.execute(streamOf(anUpload(bytes, { description: 'ignored' })), aCaller());

    expect(again.alreadyExisted).toBe(true);
    expect(again.version.version).toBe(1);
    expect(versions.versions).toHaveLength(1);
    expect(inspector.calls).toBe(1);
  });

  it('refuses bytes that do not hash to the declared sha256 and stores nothing', async () => {
    const attempt = useCase.execute(streamOf(anUpload(bytes, { sha256: 'cd'.repeat(32) })), aCaller());

    await expect(attempt).rejects.toMatchObject({ fieldViolations: [{ field: 'header.sha256', description: expect.stringContaining(sha256Of(bytes)) }] });
    expect(artifacts.blobs.size).toBe(0);
    expect(versions.versions).toEqual([]);
  });

  it('refuses fewer bytes than declared', async () => {
    await expect(useCase.execute(streamOf(anUpload(bytes, { sizeBytes: bytes.byteLength + 1 })), aCaller())).rejects.toMatchObject({
      fieldViolations: [expect.objectContaining({ field: 'header.size_bytes' })],
    });
  });

  it('stops reading at the first byte beyond the declared size', async () => {
    const stream = streamOf(anUpload(bytes, { sizeBytes: 6 }));

    await expect(useCase.execute(stream, aCaller())).rejects.toMatchObject({ fieldViolations: [expect.objectContaining({ field: 'header.size_bytes' })] });
    expect(stream.taken).toBe(3);
  });

  it('answers RESOURCE_EXHAUSTED for a declared size over the limit before accepting any chunk', async () => {
    const stream = streamOf(anUpload(Buffer.alloc(65, 1)));

    await expect(useCase.execute(stream, aCaller())).rejects.toBeInstanceOf(ResourceExhaustedError);
    expect(stream.taken).toBe(1);
  });

  it('answers NOT_FOUND for an unknown model before accepting any chunk', async () => {
    const stream = streamOf(anUpload(bytes, { modelName: 'unknown-model' }));

    await expect(useCase.execute(stream, aCaller())).rejects.toBeInstanceOf(NotFoundError);
    expect(stream.taken).toBe(1);
  });

  it.each([
    ['no message at all', []],
    ['a chunk first', [{ kind: 'chunk', bytes: Buffer.from('x') }]],
  ] as [string, UploadPart[]][])('answers INVALID_ARGUMENT for %s', async (_case, parts) => {
    await expect(useCase.execute(streamOf(parts), aCaller())).rejects.toMatchObject({ fieldViolations: [{ field: 'header', description: expect.any(String) }] });
  });

  it('answers INVALID_ARGUMENT for a second header', async () => {
    const [header, ...chunks] = anUpload(bytes);

    await expect(useCase.execute(streamOf([header!, chunks[0]!, header!]), aCaller())).rejects.toMatchObject({ fieldViolations: [{ field: 'header', description: 'sent twice' }] });
  });

  it('lists every bad header field at once', async () => {
    const attempt = useCase.execute(streamOf(anUpload(bytes, { format: 'unspecified', sha256: 'XYZ', metrics: { auc: Number.NaN } })), aCaller());

    await expect(attempt).rejects.toMatchObject({
      fieldViolations: [expect.objectContaining({ field: 'header.format' }), expect.objectContaining({ field: 'header.sha256' }), expect.objectContaining({ field: 'header.metrics[auc]' })],
    });
  });

  it('refuses a file that is not a valid ONNX model and stores nothing', async () => {
    const attempt = useCase.execute(streamOf(anUpload(Buffer.from('bad bytes'))), aCaller());

    await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(attempt).rejects.toMatchObject({ fieldViolations: [{ field: 'chunk', description: expect.stringContaining('not-protobuf') }] });
    expect(artifacts.blobs.size).toBe(0);
  });

  it('refuses input bindings naming an input the artifact does not have', async () => {
    const attempt = useCase.execute(streamOf(anUpload(bytes, { inputBindings: [{ input: 'features', features: ['flights.delay_7d'] }] })), aCaller());

    await expect(attempt).rejects.toMatchObject({ fieldViolations: [{ field: 'header.input_bindings[0].input', description: expect.stringContaining('input') }] });
  });

  it('removes the partial upload when the client cancels', async () => {
    const stream = streamOf(anUpload(bytes), { parts: 3, error: new UploadCancelledError() });

    await expect(useCase.execute(stream, aCaller())).rejects.toBeInstanceOf(UploadCancelledError);
    expect(artifacts.blobs.size).toBe(0);
  });
});
