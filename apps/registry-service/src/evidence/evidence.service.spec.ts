import { AlreadyExistsError, InvalidArgumentError, NotFoundError, ResourceExhaustedError } from '@strata/service-runtime';
import { InMemoryArtifactStore } from '../../test/fixtures/in-memory-artifact-store';
import { aCaller, aModel, silentLogger } from '../../test/fixtures/registry-factories';
import type { AuditRecord } from '../audit-log/audit-entry';
import type { Caller } from '../auth/caller';
import type { ModelService } from '../model/model.service';
import { type Evidence, type EvidenceContent, evidencePassed } from './evidence';
import type { EvidenceRepository } from './evidence.repository';
import { EvidenceService, MAX_ATTACHMENT_BYTES, type NewEvidence } from './evidence.service';

const MODEL = aModel();

/** EvidenceRepository in memory: version 1 of MODEL exists. */
class FakeEvidenceRepository {
  readonly stored = new Map<string, Evidence>();
  readonly audit: AuditRecord[] = [];

  async findVersionId(_model: unknown, version: number): Promise<string | undefined> {
    return version === 1 ? 'version-1' : undefined;
  }

  async addIfAbsent(versionId: string, name: string, content: EvidenceContent, caller: Caller, auditOf: (evidence: Evidence) => AuditRecord): Promise<{ evidence: Evidence; created: boolean }> {
    const key = `${versionId}/${name}`;
    const existing = this.stored.get(key);
    if (existing !== undefined) return { evidence: existing, created: false };
    const evidence: Evidence = { ...content, name, passed: evidencePassed(content.testResults), createdBy: caller.subject, createdAt: new Date() };
    this.stored.set(key, evidence);
    this.audit.push(auditOf(evidence));
    return { evidence, created: true };
  }
}

const aNewEvidence = (overrides: Partial<NewEvidence> = {}): NewEvidence => ({
  modelName: MODEL.name,
  version: 1,
  name: 'offline-eval',
  metrics: { auc: 0.8, logloss: 0.4 },
  testResults: [{ name: 'no-nan', passed: true, message: '' }],
  attachments: [{ name: 'report.html', mediaType: 'text/html', content: Buffer.from('<h1>ok</h1>') }],
  sourceUri: 'https://ci.example/runs/7',
  ...overrides,
});

describe(EvidenceService.name, () => {
  let repository: FakeEvidenceRepository;
  let artifacts: InMemoryArtifactStore;
  let service: EvidenceService;

  beforeEach(() => {
    repository = new FakeEvidenceRepository();
    artifacts = new InMemoryArtifactStore();
    const models = {
      require: async (name: string) => {
        if (name !== MODEL.name) throw new NotFoundError(`model "${name}" not found`);
        return MODEL;
      },
    } as unknown as ModelService;
    service = new EvidenceService(models, repository as unknown as EvidenceRepository, artifacts, silentLogger);
  });

  it('stores evidence with attachment contents as blobs, and audits it', async () => {
    const evidence = await service.add(aNewEvidence(), aCaller('ci', 'evaluator'));

    expect(evidence).toMatchObject({ name: 'offline-eval', passed: true, createdBy: 'evaluator' });
    expect(evidence.attachments).toEqual([{ name: 'report.html', mediaType: 'text/html', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), sizeBytes: 11 }]);
    expect(artifacts.blobs.get(evidence.attachments[0]!.sha256)?.toString()).toBe('<h1>ok</h1>');
    expect(repository.audit).toEqual([expect.objectContaining({ action: 'evidence_added', version: 1 })]);
  });

  it('marks evidence with a failed test as not passed', async () => {
    const evidence = await service.add(aNewEvidence({ testResults: [{ name: 'bias', passed: false, message: 'gap 0.2' }] }), aCaller());

    expect(evidence.passed).toBe(false);
  });

  it('returns the stored evidence for an identical re-send, whatever the order of its metrics', async () => {
    const first = await service.add(aNewEvidence(), aCaller());

    const again = await service.add(aNewEvidence({ metrics: { logloss: 0.4, auc: 0.8 } }), aCaller('admin'));

    expect(again).toEqual(first);
    expect(repository.audit).toHaveLength(1);
  });

  it('answers ALREADY_EXISTS for different evidence under the same name', async () => {
    await service.add(aNewEvidence(), aCaller());

    await expect(service.add(aNewEvidence({ metrics: { auc: 0.9 } }), aCaller())).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it('answers NOT_FOUND for an unknown model or version', async () => {
    await expect(service.add(aNewEvidence({ modelName: 'other' }), aCaller())).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.add(aNewEvidence({ version: 2 }), aCaller())).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers RESOURCE_EXHAUSTED for an attachment over 1 MiB', async () => {
    const big = { name: 'big.bin', mediaType: 'application/octet-stream', content: Buffer.alloc(MAX_ATTACHMENT_BYTES + 1) };

    await expect(service.add(aNewEvidence({ attachments: [big] }), aCaller())).rejects.toBeInstanceOf(ResourceExhaustedError);
    expect(artifacts.blobs.size).toBe(0);
  });

  it('lists every invalid field', async () => {
    const attempt = service.add(
      aNewEvidence({
        name: 'Bad Name',
        metrics: { auc: Number.POSITIVE_INFINITY },
        testResults: [{ name: '', passed: true, message: '' }],
        attachments: [
          { name: 'a', mediaType: '', content: Buffer.from('1') },
          { name: 'a', mediaType: 'text/plain', content: Buffer.from('2') },
        ],
      }),
      aCaller(),
    );

    await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(attempt).rejects.toMatchObject({
      fieldViolations: ['name', 'metrics[auc]', 'test_results[0].name', 'attachments[0].media_type', 'attachments[1].name'].map((field) => expect.objectContaining({ field })),
    });
  });
});
