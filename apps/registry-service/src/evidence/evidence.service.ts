import { Inject, Injectable } from '@nestjs/common';
import { AlreadyExistsError, type FieldViolation, InvalidArgumentError, LOGGER, NotFoundError, ResourceExhaustedError } from '@strata/service-runtime';
import type { Logger } from 'pino';
import { ArtifactStore } from '../artifact-store/artifact-store';
import type { Caller } from '../auth/caller';
import { ModelService } from '../model/model.service';
import type { AttachmentInfo, Evidence, EvidenceContent, TestResult } from './evidence';
import { EvidenceRepository } from './evidence.repository';

/** Largest attachment AddEvidence accepts (the contract's limit). */
export const MAX_ATTACHMENT_BYTES = 1024 * 1024;

const EVIDENCE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** An attachment as uploaded. */
export interface NewAttachment {
  readonly name: string;
  readonly mediaType: string;
  readonly content: Buffer;
}

/** What AddEvidence asks for. */
export interface NewEvidence {
  readonly modelName: string;
  readonly version: number;
  readonly name: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly testResults: readonly TestResult[];
  readonly attachments: readonly NewAttachment[];
  readonly sourceUri: string;
}

/** Named, immutable evaluation evidence on versions: an identical re-send returns the stored one, a different one is ALREADY_EXISTS. */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly models: ModelService,
    private readonly evidence: EvidenceRepository,
    private readonly artifacts: ArtifactStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async add(input: NewEvidence, caller: Caller): Promise<Evidence> {
    const violations = evidenceViolations(input);
    if (violations.length > 0) throw InvalidArgumentError.listing('invalid AddEvidence request', violations);
    const oversized = input.attachments.find((attachment) => attachment.content.byteLength > MAX_ATTACHMENT_BYTES);
    if (oversized !== undefined) {
      throw new ResourceExhaustedError(`attachment "${oversized.name}" has ${oversized.content.byteLength} bytes; the limit is ${MAX_ATTACHMENT_BYTES}`);
    }
    const model = await this.models.require(input.modelName);
    const versionId = await this.evidence.findVersionId(model, input.version);
    if (versionId === undefined) throw new NotFoundError(`model "${model.name}" has no version ${input.version}`);

    // Attachment contents are content-addressed blobs; an unused one (request refused below) is harmless.
    const attachments: AttachmentInfo[] = [];
    for (const attachment of input.attachments) {
      const { sha256, sizeBytes } = await this.artifacts.put(attachment.content);
      attachments.push({ name: attachment.name, mediaType: attachment.mediaType, sha256, sizeBytes });
    }
    const content: EvidenceContent = { metrics: input.metrics, testResults: input.testResults, attachments, sourceUri: input.sourceUri };
    const { evidence, created } = await this.evidence.addIfAbsent(versionId, input.name, content, caller, (stored) => ({
      caller,
      action: 'evidence_added',
      modelName: model.name,
      version: input.version,
      after: { name: stored.name, metrics: stored.metrics, passed: stored.passed, attachments: stored.attachments.map((a) => a.name) },
    }));
    if (!created && !sameContent(evidence, content)) {
      throw new AlreadyExistsError(`version ${input.version} of model "${model.name}" already has different evidence named "${input.name}"; evidence is immutable, use a new name`);
    }
    if (created) this.logger.info({ model: model.name, version: input.version, evidence: input.name, actor: caller.subject }, `evidence added model=${model.name} version=${input.version} name=${input.name} passed=${evidence.passed}`);
    return evidence;
  }
}

function evidenceViolations(input: NewEvidence): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (input.modelName === '') violations.push({ field: 'model_name', description: 'required' });
  if (!Number.isSafeInteger(input.version) || input.version < 1) violations.push({ field: 'version', description: 'must be >= 1' });
  if (!EVIDENCE_NAME.test(input.name)) violations.push({ field: 'name', description: 'required: 1-63 characters of a-z, 0-9, ".", "_", "-", starting with a letter or digit' });
  for (const [metric, value] of Object.entries(input.metrics)) {
    if (metric === '') violations.push({ field: 'metrics', description: 'metric names must not be empty' });
    if (!Number.isFinite(value)) violations.push({ field: `metrics[${metric}]`, description: 'must be a finite number' });
  }
  input.testResults.forEach((result, index) => {
    if (result.name === '') violations.push({ field: `test_results[${index}].name`, description: 'required' });
  });
  input.attachments.forEach((attachment, index) => {
    if (attachment.name === '') violations.push({ field: `attachments[${index}].name`, description: 'required' });
    else if (input.attachments.findIndex((other) => other.name === attachment.name) !== index) {
      violations.push({ field: `attachments[${index}].name`, description: `"${attachment.name}" is used twice` });
    }
    if (attachment.mediaType === '') violations.push({ field: `attachments[${index}].media_type`, description: 'required' });
  });
  return violations;
}

function sameContent(stored: EvidenceContent, sent: EvidenceContent): boolean {
  return canonical(stored) === canonical(sent);
}

function canonical(content: EvidenceContent): string {
  const sortedMetrics = Object.fromEntries(Object.entries(content.metrics).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify([
    sortedMetrics,
    content.testResults.map((result) => [result.name, result.passed, result.message]),
    content.attachments.map((attachment) => [attachment.name, attachment.mediaType, attachment.sha256, attachment.sizeBytes]),
    content.sourceUri,
  ]);
}
