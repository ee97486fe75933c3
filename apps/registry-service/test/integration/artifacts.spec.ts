import { status } from '@grpc/grpc-js';
import type { TestEngine } from '@strata/testing';
import { createHash } from 'node:crypto';
import { eventually } from '../fixtures/eventually';
import { aLargeOnnxModel, aLinearOnnxModel } from '../fixtures/onnx-models';
import { failureOf, headerFor } from '../fixtures/registry-client';
import { startTestRegistry, type TestRegistry } from '../fixtures/registry-harness';

const MiB = 1024 * 1024;
const LIMIT_BYTES = 3 * MiB;

const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

// DownloadArtifact and the upload limits over a real gRPC socket, on PGlite and on PostgreSQL,
// with MAX_ARTIFACT_BYTES set to 3 MiB.
describe.each<TestEngine>(['pglite', 'postgres'])('registry artifacts on %s', (engine) => {
  let registry: TestRegistry;
  const model = 'artifact-model';
  const artifact = aLargeOnnxModel(2.5 * MiB, 1);

  beforeAll(async () => {
    registry = await startTestRegistry(engine, { MAX_ARTIFACT_BYTES: String(LIMIT_BYTES) });
    await registry.ci.createModel({ name: model });
    await registry.ci.registerVersion(model, artifact);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  describe('DownloadArtifact', () => {
    it('streams the artifact after a header with its digest and size, in chunks of at most 1 MiB', async () => {
      const download = await registry.anonymous.download({ name: model, version: 1 });

      expect(download.header).toEqual({
        modelName: model,
        version: 1,
        artifact: { format: 'ARTIFACT_FORMAT_ONNX', sha256: sha256Of(artifact), sizeBytes: String(artifact.byteLength) },
        offset: '0',
      });
      expect(sha256Of(download.bytes)).toBe(download.header.artifact?.sha256);
      expect(download.bytes.byteLength).toBe(artifact.byteLength);
      expect(Math.max(...download.chunkSizes)).toBeLessThanOrEqual(MiB);
      expect(download.chunkSizes.length).toBeGreaterThanOrEqual(3);
    });

    it('resumes from an offset, and resolves an alias', async () => {
      const offset = MiB + 3;

      const tail = await registry.anonymous.download({ name: model, alias: 'latest' }, offset);

      expect(tail.header).toMatchObject({ version: 1, offset: String(offset) });
      expect(tail.bytes.equals(artifact.subarray(offset))).toBe(true);
      expect((await registry.anonymous.download({ name: model, version: 1 }, artifact.byteLength)).bytes.byteLength).toBe(0);
    });

    it('answers OUT_OF_RANGE past the end, NOT_FOUND for an unknown version and FAILED_PRECONDITION for an archived one', async () => {
      await registry.ci.registerVersion(model, aLinearOnnxModel(2));
      await registry.admin.setVersionStatus({ modelName: model, version: 2, status: 'VERSION_STATUS_ARCHIVED' as never, reason: 'retired' });

      expect((await failureOf(registry.anonymous.download({ name: model, version: 1 }, artifact.byteLength + 1))).code).toBe(status.OUT_OF_RANGE);
      expect((await failureOf(registry.anonymous.download({ name: model, version: 9 }))).code).toBe(status.NOT_FOUND);
      expect(await failureOf(registry.anonymous.download({ name: model, version: 2 }))).toMatchObject({
        code: status.FAILED_PRECONDITION,
        preconditionViolations: [expect.objectContaining({ type: 'VERSION_STATUS' })],
      });
    });
  });

  describe('upload limits', () => {
    it('answers RESOURCE_EXHAUSTED for an artifact over MAX_ARTIFACT_BYTES and keeps nothing of it', async () => {
      const tooLarge = aLargeOnnxModel(LIMIT_BYTES + MiB, 2);
      const blobsBefore = registry.blobs();

      const failure = await failureOf(registry.ci.registerVersion(model, tooLarge));

      expect(failure.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(registry.blobs()).toEqual(blobsBefore);
      expect(registry.tempFiles()).toEqual([]);
    });

    it('stops an upload that sends more bytes than declared with INVALID_ARGUMENT, removing its temporary file', async () => {
      const bytes = aLargeOnnxModel(2 * MiB, 3);

      const failure = await failureOf(registry.ci.registerVersion(model, bytes, { header: headerFor(model, bytes, { sizeBytes: String(MiB + 1) }) }));

      expect(failure).toMatchObject({ code: status.INVALID_ARGUMENT, fieldViolations: [expect.objectContaining({ field: 'header.size_bytes' })] });
      expect(registry.tempFiles()).toEqual([]);
    });

    it('removes the temporary file of an upload the client cancels', async () => {
      const bytes = aLargeOnnxModel(2 * MiB, 4);
      const upload = registry.ci.startUpload(headerFor(model, bytes));
      await upload.write(bytes.subarray(0, MiB));
      await eventually(() => registry.tempFiles().length === 1, 'the upload has a temporary file');

      upload.cancel();

      await eventually(() => registry.tempFiles().length === 0, 'the temporary file is gone');
      expect((await failureOf(upload.response)).code).toBe(status.CANCELLED);
      expect(await registry.prisma.modelVersion.count({ where: { artifactDigest: sha256Of(bytes) } })).toBe(0);
    });
  });
});
