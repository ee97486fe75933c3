// Human renderings of models, versions and evidence.
import type { registryV1 } from '@strata/contracts';
import { formatBytes, formatEnum, formatMap, formatTime, renderFields, renderTable, shortDigest } from './table';

export function renderModelTable(models: readonly registryV1.Model[]): string {
  return renderTable(
    ['NAME', 'LATEST', 'ALIASES', 'OWNER', 'TAGS', 'CREATED'],
    models.map((m) => [m.name, m.latestVersion === 0 ? '-' : String(m.latestVersion), formatMap(m.aliases), m.owner, formatMap(m.tags), formatTime(m.createdAt)]),
    '(no models)',
  );
}

export function renderModel(model: registryV1.Model): string {
  return renderFields([
    ['name', model.name],
    ['description', model.description],
    ['owner', model.owner],
    ['tags', formatMap(model.tags)],
    ['latest version', model.latestVersion === 0 ? 'none' : String(model.latestVersion)],
    ['aliases', formatMap(model.aliases)],
    ['created', formatTime(model.createdAt)],
  ]);
}

const status = (value: string): string => formatEnum(value, 'VERSION_STATUS_');

export function renderVersionTable(versions: readonly registryV1.ModelVersion[]): string {
  return renderTable(
    ['VERSION', 'STATUS', 'ALIASES', 'SHA256', 'SIZE', 'METRICS', 'CREATED', 'BY'],
    versions.map((v) => [
      String(v.version),
      status(v.status),
      v.aliases.join(','),
      shortDigest(v.artifact?.sha256),
      v.artifact === null || v.artifact === undefined ? '' : formatBytes(v.artifact.sizeBytes),
      formatMap(v.metrics),
      formatTime(v.createdAt),
      v.createdBy,
    ]),
    '(no versions)',
  );
}

function renderTensors(specs: readonly registryV1.TensorSpec[]): string {
  return specs.map((t) => `${t.name} ${formatEnum(t.datatype, 'TENSOR_DATA_TYPE_').toUpperCase()}[${t.shape.map((d) => (d === '-1' ? '?' : d)).join(',')}]`).join(', ');
}

function renderLineage(lineage: registryV1.Lineage | null | undefined): [string, string][] {
  if (lineage === null || lineage === undefined) return [];
  const contracts = lineage.featureContracts.map((c) => `${c.featureSet?.name ?? '?'}@${c.featureSet?.version ?? '?'}${c.digest === '' ? '' : `=${c.digest}`}`);
  return [
    ['training job', lineage.trainingJobId],
    ['dataset snapshot', [lineage.datasetSnapshotId, lineage.datasetSnapshotDigest].filter((s) => s !== '').join(' ')],
    ['feature sets', contracts.join(', ')],
    ['code version', lineage.codeVersion],
  ];
}

export function renderEvidenceTable(evidence: readonly registryV1.Evidence[]): string {
  return renderTable(
    ['EVIDENCE', 'PASSED', 'METRICS', 'TESTS', 'BY', 'ADDED'],
    evidence.map((e) => [
      e.name,
      e.passed ? 'yes' : 'no',
      formatMap(e.metrics),
      e.testResults.map((t) => `${t.name}:${t.passed ? 'pass' : 'fail'}`).join(', '),
      e.createdBy,
      formatTime(e.createdAt),
    ]),
    '(no evidence)',
  );
}

export function renderVersion(version: registryV1.ModelVersion): string {
  const artifact = version.artifact;
  const fields = renderFields([
    ['model', version.modelName],
    ['version', String(version.version)],
    ['status', status(version.status)],
    ['description', version.description],
    ['sha256', artifact?.sha256 ?? ''],
    ['size', artifact === null || artifact === undefined ? '' : `${formatBytes(artifact.sizeBytes)} (${artifact.sizeBytes} bytes)`],
    ['inputs', renderTensors(version.signature?.inputs ?? [])],
    ['outputs', renderTensors(version.signature?.outputs ?? [])],
    ['input bindings', version.inputBindings.map((b) => `${b.input}=${b.features.join(',')}`).join('; ')],
    ['metrics', formatMap(version.metrics)],
    ['params', formatMap(version.params)],
    ['tags', formatMap(version.tags)],
    ...renderLineage(version.lineage),
    ['aliases', version.aliases.join(', ')],
    ['alias history', version.aliasHistory.join(', ')],
    ['registered', `${formatTime(version.createdAt)}${version.createdBy === '' ? '' : ` by ${version.createdBy}`}`],
  ]);
  return version.evidence.length === 0 ? fields : `${fields}\n${renderEvidenceTable(version.evidence)}`;
}

export function renderEvidence(evidence: registryV1.Evidence): string {
  return renderFields([
    ['evidence', evidence.name],
    ['passed', evidence.passed ? 'yes' : 'no'],
    ['metrics', formatMap(evidence.metrics)],
    ['tests', evidence.testResults.map((t) => `${t.name}:${t.passed ? 'pass' : 'fail'}${t.message === '' ? '' : ` (${t.message})`}`).join(', ')],
    ['attachments', evidence.attachments.map((a) => `${a.name} (${a.mediaType}, ${formatBytes(a.sizeBytes)})`).join(', ')],
    ['source', evidence.sourceUri],
    ['added', `${formatTime(evidence.createdAt)}${evidence.createdBy === '' ? '' : ` by ${evidence.createdBy}`}`],
  ]);
}
