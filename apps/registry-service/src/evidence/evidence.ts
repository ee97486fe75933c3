/** A named test outcome inside evidence. */
export interface TestResult {
  readonly name: string;
  readonly passed: boolean;
  readonly message: string;
}

/** Metadata of an evidence attachment; the content is a blob in the artifact store. */
export interface AttachmentInfo {
  readonly name: string;
  readonly mediaType: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** An immutable, named piece of evaluation evidence on a version. */
export interface Evidence {
  readonly name: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly testResults: readonly TestResult[];
  readonly attachments: readonly AttachmentInfo[];
  /** True when every test result passed (true when there are none). */
  readonly passed: boolean;
  readonly sourceUri: string;
  readonly createdBy: string;
  readonly createdAt: Date;
}

/** The content of evidence: what makes two AddEvidence calls "identical". */
export type EvidenceContent = Pick<Evidence, 'metrics' | 'testResults' | 'attachments' | 'sourceUri'>;

/**
 * How evidence is stored in `evidence.payload` (jsonb). Gates read `metrics` and `passed`
 * from it by evidence name.
 */
export interface StoredEvidencePayload {
  readonly metrics: Record<string, number>;
  readonly testResults: TestResult[];
  readonly attachments: AttachmentInfo[];
  readonly passed: boolean;
  readonly sourceUri: string;
}

/** An evidence row as the database holds it. */
export interface StoredEvidence {
  readonly name: string;
  readonly payload: unknown;
  readonly addedBy: string;
  readonly createdAt: Date;
}

export function evidencePassed(testResults: readonly TestResult[]): boolean {
  return testResults.every((result) => result.passed);
}

export function toStoredPayload(content: EvidenceContent): StoredEvidencePayload {
  return {
    metrics: { ...content.metrics },
    testResults: content.testResults.map((result) => ({ ...result })),
    attachments: content.attachments.map((attachment) => ({ ...attachment })),
    passed: evidencePassed(content.testResults),
    sourceUri: content.sourceUri,
  };
}

export function evidenceFromStored(row: StoredEvidence): Evidence {
  const payload = row.payload as Partial<StoredEvidencePayload>;
  return {
    name: row.name,
    metrics: payload.metrics ?? {},
    testResults: payload.testResults ?? [],
    attachments: payload.attachments ?? [],
    passed: payload.passed ?? evidencePassed(payload.testResults ?? []),
    sourceUri: payload.sourceUri ?? '',
    createdBy: row.addedBy,
    createdAt: row.createdAt,
  };
}
