import { status } from '@grpc/grpc-js';
import type { TestEngine } from '@strata/testing';
import { aLinearOnnxModel } from '../fixtures/onnx-models';
import { failureOf, headerFor } from '../fixtures/registry-client';
import { pointAlias, startTestRegistry, type TestRegistry } from '../fixtures/registry-harness';

// RegisterVersion, GetVersion, ListVersions and SetVersionStatus over a real gRPC socket, on
// PGlite and on PostgreSQL.
describe.each<TestEngine>(['pglite', 'postgres'])('registry versions on %s', (engine) => {
  let registry: TestRegistry;
  let modelCount = 0;

  /** A fresh model per test, so tests do not depend on each other's versions. */
  const aModel = async (): Promise<string> => {
    modelCount += 1;
    const name = `model-${modelCount}`;
    await registry.ci.createModel({ name });
    return name;
  };

  beforeAll(async () => {
    registry = await startTestRegistry(engine);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  describe('RegisterVersion', () => {
    it('registers version 1 with the signature read from the file, the header metadata and the blob stored by digest', async () => {
      const model = await aModel();
      const bytes = aLinearOnnxModel(1, { inputName: 'features', outputName: 'delay' });
      const header = headerFor(model, bytes, {
        metrics: { auc: 0.81 },
        params: { l2: '0.1' },
        tags: { stage: 'candidate' },
        description: 'first try',
        lineage: { trainingJobId: 'job-7', datasetSnapshotId: 'snap-1', datasetSnapshotDigest: `sha256:${'c'.repeat(64)}`, codeVersion: 'abc123', featureContracts: [{ featureSet: { name: 'flights', version: 2 }, digest: '' }] },
        declaredSignature: { inputs: [{ name: 'wrong', datatype: 'TENSOR_DATA_TYPE_FP64' as never, shape: ['1'] }], outputs: [] },
        inputBindings: [{ input: 'features', features: ['flights.avg_delay_7d', 'flights.count_24h', 'distance'] }],
      });

      const { version, alreadyExisted } = await registry.ci.registerVersion(model, bytes, { header });

      expect(alreadyExisted).toBe(false);
      expect(version).toMatchObject({
        modelName: model,
        version: 1,
        status: 'VERSION_STATUS_ACTIVE',
        artifact: { format: 'ARTIFACT_FORMAT_ONNX', sha256: header.sha256, sizeBytes: String(bytes.byteLength) },
        signature: {
          inputs: [{ name: 'features', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['-1', '3'] }],
          outputs: [{ name: 'delay', datatype: 'TENSOR_DATA_TYPE_FP32', shape: ['-1', '1'] }],
        },
        declaredSignature: { inputs: [{ name: 'wrong', datatype: 'TENSOR_DATA_TYPE_FP64', shape: ['1'] }], outputs: [] },
        inputBindings: header.inputBindings,
        metrics: { auc: 0.81 },
        params: { l2: '0.1' },
        tags: { stage: 'candidate' },
        description: 'first try',
        lineage: header.lineage,
        createdBy: 'ci-bot',
      });
      expect(registry.blobs()).toContain(header.sha256);
      expect(registry.tempFiles()).toEqual([]);
      const audit = await registry.prisma.auditLogEntry.findMany({ where: { modelName: model } });
      expect(audit.map((entry) => entry.action)).toEqual(['model_created', 'version_registered']);
    });

    it('returns the existing version with already_existed for the same bytes, and numbers new bytes next', async () => {
      const model = await aModel();
      const first = await registry.ci.registerVersion(model, aLinearOnnxModel(1));

      const again = await registry.admin.registerVersion(model, aLinearOnnxModel(1), { header: headerFor(model, aLinearOnnxModel(1), { description: 'ignored' }) });
      const second = await registry.ci.registerVersion(model, aLinearOnnxModel(2));

      expect(again).toEqual({ ...first, alreadyExisted: true });
      expect(second.version?.version).toBe(2);
    });

    it('numbers concurrent registrations of different bytes 1..n without gaps, and stores concurrent identical bytes once', async () => {
      const model = await aModel();

      const distinct = await Promise.all([1, 2, 3, 4, 5].map((seed) => registry.ci.registerVersion(model, aLinearOnnxModel(seed))));
      const identical = await Promise.all([1, 2, 3].map(() => registry.ci.registerVersion(model, aLinearOnnxModel(99))));

      expect(distinct.map((response) => response.version?.version).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(new Set(identical.map((response) => response.version?.version))).toEqual(new Set([6]));
      expect(identical.filter((response) => !response.alreadyExisted)).toHaveLength(1);
    });

    it('refuses bytes that do not match the declared sha256 or size, storing nothing', async () => {
      const model = await aModel();
      const bytes = aLinearOnnxModel(3);
      const blobsBefore = registry.blobs();

      const wrongDigest = await failureOf(registry.ci.registerVersion(model, bytes, { header: headerFor(model, bytes, { sha256: 'f'.repeat(64) }) }));
      const wrongSize = await failureOf(registry.ci.registerVersion(model, bytes, { header: headerFor(model, bytes, { sizeBytes: String(bytes.byteLength + 5) }) }));

      expect(wrongDigest).toMatchObject({ code: status.INVALID_ARGUMENT, fieldViolations: [expect.objectContaining({ field: 'header.sha256' })] });
      expect(wrongSize).toMatchObject({ code: status.INVALID_ARGUMENT, fieldViolations: [expect.objectContaining({ field: 'header.size_bytes' })] });
      expect(await registry.prisma.modelVersion.count({ where: { model: { name: model } } })).toBe(0);
      expect(registry.blobs()).toEqual(blobsBefore);
      expect(registry.tempFiles()).toEqual([]);
    });

    it('refuses a file that is not a valid ONNX model with INVALID_ARGUMENT and a BadRequest, storing nothing', async () => {
      const model = await aModel();
      const blobsBefore = registry.blobs();

      const failure = await failureOf(registry.ci.registerVersion(model, Buffer.from('definitely not a protobuf model file')));

      expect(failure.code).toBe(status.INVALID_ARGUMENT);
      expect(failure.fieldViolations).toEqual([{ field: 'chunk', description: expect.stringContaining('invalid ONNX model') }]);
      expect(registry.blobs()).toEqual(blobsBefore);
      expect(registry.tempFiles()).toEqual([]);
    });

    it('answers NOT_FOUND for an unknown model and INVALID_ARGUMENT when the first message is not a header', async () => {
      const bytes = aLinearOnnxModel(4);
      const unknownModel = await failureOf(registry.ci.registerVersion('no-such-model', bytes));
      const upload = registry.ci.startUpload({});

      const noHeader = await failureOf(upload.finish());

      expect(unknownModel.code).toBe(status.NOT_FOUND);
      expect(noHeader).toMatchObject({ code: status.INVALID_ARGUMENT, fieldViolations: expect.arrayContaining([expect.objectContaining({ field: 'header.model_name' })]) });
    });

    it('answers UNAUTHENTICATED without a valid token, before reading the upload', async () => {
      const model = await aModel();

      expect((await failureOf(registry.anonymous.registerVersion(model, aLinearOnnxModel(5)))).code).toBe(status.UNAUTHENTICATED);
      expect((await failureOf(registry.anonymous.as('wrong-token').registerVersion(model, aLinearOnnxModel(5)))).code).toBe(status.UNAUTHENTICATED);
    });
  });

  describe('GetVersion and ListVersions', () => {
    it('finds a version by number, by alias and as "latest", and answers NOT_FOUND or INVALID_ARGUMENT otherwise', async () => {
      const model = await aModel();
      for (const seed of [1, 2, 3]) await registry.ci.registerVersion(model, aLinearOnnxModel(seed));
      await pointAlias(registry, model, 'production', 2);

      expect((await registry.anonymous.getVersion({ name: model, version: 1 })).version?.version).toBe(1);
      expect((await registry.anonymous.getVersion({ name: model, alias: 'production' })).version).toMatchObject({ version: 2, aliases: ['production'] });
      expect((await registry.anonymous.getVersion({ name: model, alias: 'latest' })).version?.version).toBe(3);
      expect((await failureOf(registry.anonymous.getVersion({ name: model, version: 9 }))).code).toBe(status.NOT_FOUND);
      expect((await failureOf(registry.anonymous.getVersion({ name: model, alias: 'canary' }))).code).toBe(status.NOT_FOUND);
      expect((await failureOf(registry.anonymous.getVersion({ name: model }))).code).toBe(status.INVALID_ARGUMENT);
      expect((await failureOf(registry.anonymous.getVersion({ name: 'no-such-model', version: 1 }))).code).toBe(status.NOT_FOUND);
    });

    it('lists versions newest first, one page at a time, filtered by status', async () => {
      const model = await aModel();
      for (const seed of [1, 2, 3, 4, 5]) await registry.ci.registerVersion(model, aLinearOnnxModel(seed));
      await registry.admin.setVersionStatus({ modelName: model, version: 4, status: 'VERSION_STATUS_DEPRECATED' as never, reason: 'worse' });
      const numbers = (response: { versions: { version: number }[] }) => response.versions.map((version) => version.version);

      const first = await registry.anonymous.listVersions({ modelName: model, page: { pageSize: 2, pageToken: '' } });
      const second = await registry.anonymous.listVersions({ modelName: model, page: { pageSize: 2, pageToken: first.page!.nextPageToken } });
      const third = await registry.anonymous.listVersions({ modelName: model, page: { pageSize: 2, pageToken: second.page!.nextPageToken } });
      const active = await registry.anonymous.listVersions({ modelName: model, status: 'VERSION_STATUS_ACTIVE' as never });

      expect([numbers(first), numbers(second), numbers(third)]).toEqual([[5, 4], [3, 2], [1]]);
      expect(third.page?.nextPageToken).toBe('');
      expect(numbers(active)).toEqual([5, 3, 2, 1]);
      expect((await failureOf(registry.anonymous.listVersions({ modelName: 'no-such-model' }))).code).toBe(status.NOT_FOUND);
    });
  });

  describe('SetVersionStatus', () => {
    it('moves ACTIVE -> DEPRECATED -> ACTIVE -> ARCHIVED, each with a release revision and an audit entry', async () => {
      const model = await aModel();
      await registry.ci.registerVersion(model, aLinearOnnxModel(1));
      const set = (state: string) => registry.admin.setVersionStatus({ modelName: model, version: 1, status: state as never, reason: `to ${state}` });

      const deprecated = await set('VERSION_STATUS_DEPRECATED');
      const active = await set('VERSION_STATUS_ACTIVE');
      const unchanged = await set('VERSION_STATUS_ACTIVE');
      const archived = await set('VERSION_STATUS_ARCHIVED');

      expect([deprecated, active, archived].map((response) => response.version?.status)).toEqual(['VERSION_STATUS_DEPRECATED', 'VERSION_STATUS_ACTIVE', 'VERSION_STATUS_ARCHIVED']);
      const revisions = [deprecated, active, archived].map((response) => BigInt(response.revision));
      expect(revisions.every((revision, index) => revision > 0n && (index === 0 || revision > revisions[index - 1]!))).toBe(true);
      expect(unchanged.revision).toBe('0');
      const events = await registry.prisma.releaseEvent.findMany({ where: { model: { name: model } }, orderBy: { revision: 'asc' } });
      expect(events.map((event) => [event.kind, event.revision])).toEqual(revisions.map((revision) => ['version_status_changed', revision]));
      const audit = await registry.prisma.auditLogEntry.findMany({ where: { modelName: model, action: 'version_status_changed' } });
      expect(audit).toHaveLength(3);
      expect(audit.every((entry) => entry.actor === 'release-admin')).toBe(true);
    });

    it('never leaves ARCHIVED and refuses to archive a version an alias points at', async () => {
      const model = await aModel();
      await registry.ci.registerVersion(model, aLinearOnnxModel(1));
      await registry.ci.registerVersion(model, aLinearOnnxModel(2));
      await pointAlias(registry, model, 'production', 2);
      await registry.admin.setVersionStatus({ modelName: model, version: 1, status: 'VERSION_STATUS_ARCHIVED' as never, reason: 'retired' });

      const leaveArchived = await failureOf(registry.admin.setVersionStatus({ modelName: model, version: 1, status: 'VERSION_STATUS_ACTIVE' as never, reason: 'oops' }));
      const archiveAliased = await failureOf(registry.admin.setVersionStatus({ modelName: model, version: 2, status: 'VERSION_STATUS_ARCHIVED' as never, reason: 'retire' }));

      expect(leaveArchived).toMatchObject({ code: status.FAILED_PRECONDITION, preconditionViolations: [expect.objectContaining({ type: 'VERSION_STATUS' })] });
      expect(archiveAliased).toMatchObject({ code: status.FAILED_PRECONDITION, preconditionViolations: [expect.objectContaining({ type: 'ALIAS_TARGET', subject: 'production' })] });
      expect((await registry.anonymous.getVersion({ name: model, version: 2 })).version?.status).toBe('VERSION_STATUS_ACTIVE');
    });

    it('is for admins only: PERMISSION_DENIED for ci, UNAUTHENTICATED without a token', async () => {
      const model = await aModel();
      await registry.ci.registerVersion(model, aLinearOnnxModel(1));
      const request = { modelName: model, version: 1, status: 'VERSION_STATUS_DEPRECATED' as never, reason: 'try' };

      expect((await failureOf(registry.ci.setVersionStatus(request))).code).toBe(status.PERMISSION_DENIED);
      expect((await failureOf(registry.anonymous.setVersionStatus(request))).code).toBe(status.UNAUTHENTICATED);
      expect((await failureOf(registry.admin.setVersionStatus({ ...request, version: 7 }))).code).toBe(status.NOT_FOUND);
      expect((await failureOf(registry.admin.setVersionStatus({ ...request, reason: '' }))).code).toBe(status.INVALID_ARGUMENT);
    });
  });
});
