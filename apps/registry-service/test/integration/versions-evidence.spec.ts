import { status } from '@grpc/grpc-js';
import type { TestEngine } from '@strata/testing';
import { createHash } from 'node:crypto';
import { aLinearOnnxModel } from '../fixtures/onnx-models';
import { failureOf } from '../fixtures/registry-client';
import { startTestRegistry, type TestRegistry } from '../fixtures/registry-harness';

const MiB = 1024 * 1024;
const MODEL = 'evaluated-model';

// AddEvidence over a real gRPC socket, on PGlite and on PostgreSQL.
describe.each<TestEngine>(['pglite', 'postgres'])('registry evidence on %s', (engine) => {
  let registry: TestRegistry;
  const anEvidenceRequest = (overrides: Record<string, unknown> = {}) => ({
    modelName: MODEL,
    version: 1,
    name: 'offline-eval',
    metrics: { auc: 0.84, logloss: 0.31 },
    testResults: [
      { name: 'no-nan-outputs', passed: true, message: '' },
      { name: 'latency-p99', passed: true, message: '3 ms' },
    ],
    attachments: [{ name: 'report.html', mediaType: 'text/html', content: Buffer.from('<h1>eval</h1>') }],
    sourceUri: 'https://ci.example/runs/42',
    ...overrides,
  });

  beforeAll(async () => {
    registry = await startTestRegistry(engine);
    await registry.ci.createModel({ name: MODEL });
    await registry.ci.registerVersion(MODEL, aLinearOnnxModel(1));
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('attaches evidence to a version, shows it on the version and audits it', async () => {
    const { evidence } = await registry.ci.addEvidence(anEvidenceRequest());

    expect(evidence).toMatchObject({
      name: 'offline-eval',
      metrics: { auc: 0.84, logloss: 0.31 },
      passed: true,
      sourceUri: 'https://ci.example/runs/42',
      createdBy: 'ci-bot',
      attachments: [{ name: 'report.html', mediaType: 'text/html', sha256: createHash('sha256').update('<h1>eval</h1>').digest('hex'), sizeBytes: '13' }],
    });
    expect(registry.blobs()).toContain(evidence?.attachments[0]?.sha256);
    expect((await registry.anonymous.getVersion({ name: MODEL, version: 1 })).version?.evidence).toEqual([evidence]);
    expect(await registry.prisma.auditLogEntry.count({ where: { modelName: MODEL, action: 'evidence_added' } })).toBe(1);
  });

  it('returns the stored evidence for an identical re-send, and ALREADY_EXISTS for different content under the same name', async () => {
    const stored = await registry.ci.addEvidence(anEvidenceRequest({ name: 'bias-check', testResults: [{ name: 'gap', passed: false, message: '0.2' }] }));

    const again = await registry.admin.addEvidence(anEvidenceRequest({ name: 'bias-check', testResults: [{ name: 'gap', passed: false, message: '0.2' }] }));
    const different = await failureOf(registry.ci.addEvidence(anEvidenceRequest({ name: 'bias-check' })));

    expect(stored.evidence?.passed).toBe(false);
    expect(again).toEqual(stored);
    expect(different.code).toBe(status.ALREADY_EXISTS);
  });

  it('answers NOT_FOUND, INVALID_ARGUMENT and RESOURCE_EXHAUSTED as the contract says', async () => {
    const oversized = [{ name: 'big.bin', mediaType: 'application/octet-stream', content: Buffer.alloc(MiB + 1) }];

    expect((await failureOf(registry.ci.addEvidence(anEvidenceRequest({ version: 5 })))).code).toBe(status.NOT_FOUND);
    expect((await failureOf(registry.ci.addEvidence(anEvidenceRequest({ modelName: 'no-such-model' })))).code).toBe(status.NOT_FOUND);
    expect(await failureOf(registry.ci.addEvidence(anEvidenceRequest({ name: 'Not Valid' })))).toMatchObject({ code: status.INVALID_ARGUMENT, fieldViolations: [expect.objectContaining({ field: 'name' })] });
    expect((await failureOf(registry.ci.addEvidence(anEvidenceRequest({ name: 'big', attachments: oversized })))).code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('answers UNAUTHENTICATED without a valid token', async () => {
    expect((await failureOf(registry.anonymous.addEvidence(anEvidenceRequest({ name: 'sneaky' })))).code).toBe(status.UNAUTHENTICATED);
  });
});
