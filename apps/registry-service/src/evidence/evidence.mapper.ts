import type { registryV1 } from '@strata/contracts';
import { toTimestamp } from '@strata/service-runtime';
import type { Evidence } from './evidence';
import type { NewEvidence } from './evidence.service';

export function newEvidenceOf(request: registryV1.AddEvidenceRequest): NewEvidence {
  return {
    modelName: request.modelName,
    version: request.version,
    name: request.name,
    metrics: { ...request.metrics },
    testResults: request.testResults.map((result) => ({ name: result.name, passed: result.passed, message: result.message })),
    attachments: request.attachments.map((attachment) => ({ name: attachment.name, mediaType: attachment.mediaType, content: attachment.content })),
    sourceUri: request.sourceUri,
  };
}

export function toEvidenceMessage(evidence: Evidence): registryV1.Evidence {
  return {
    name: evidence.name,
    metrics: { ...evidence.metrics },
    testResults: evidence.testResults.map((result) => ({ ...result })),
    attachments: evidence.attachments.map((attachment) => ({
      name: attachment.name,
      mediaType: attachment.mediaType,
      sha256: attachment.sha256,
      sizeBytes: String(attachment.sizeBytes),
    })),
    passed: evidence.passed,
    sourceUri: evidence.sourceUri,
    createdBy: evidence.createdBy,
    createdAt: toTimestamp(evidence.createdAt),
  };
}
