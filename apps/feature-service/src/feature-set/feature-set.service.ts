import { Inject, Injectable } from '@nestjs/common';
import { InvalidArgumentError, LOGGER, type Page, pageOf, type PageRequest, pageSizeOf, PageTokens } from '@strata/service-runtime';
import type { Logger } from 'pino';
import type { Source } from '../source/source';
import { SourceService } from '../source/source.service';
import type { FeatureSet } from './feature-set';
import { featureSetNotFound, immutableVersion } from './feature-set.errors';
import { type FeatureSetFilter, type FeatureSetRecord, FeatureSetRepository } from './feature-set.repository';
import { featureSetContractDigest, type FeatureSetSpecDraft, staticFeatureSetViolations, validateFeatureSetSpec } from './feature-set-spec';

/** Page key of ListFeatureSets: `<name>/<version>` (names never contain `/`). */
const byNameVersion = new PageTokens<string>((value): value is string => typeof value === 'string' && /^[a-z][a-z0-9_]*\/\d+$/.test(value));

/** Feature set versions: validated, immutable, idempotent applies; reads and listing. */
@Injectable()
export class FeatureSetService {
  constructor(
    private readonly featureSets: FeatureSetRepository,
    private readonly sources: SourceService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Registers an immutable version. The same name+version with identical content returns
   * the existing one (created = false); different content is FAILED_PRECONDITION.
   * INVALID_ARGUMENT for a bad spec, NOT_FOUND for an unknown source (version).
   */
  async apply(draft: FeatureSetSpecDraft): Promise<{ featureSet: FeatureSet; created: boolean }> {
    const violations = staticFeatureSetViolations(draft);
    if (draft.source === undefined || violations.some((violation) => violation.field.startsWith('spec.source'))) {
      throw new InvalidArgumentError(`invalid feature set spec "${draft.name}": ${violations.map((v) => `${v.field}: ${v.description}`).join('; ')}`, violations);
    }
    const existing = violations.length === 0 ? await this.featureSets.find(draft.name, draft.version) : undefined;
    // Source version 0 means "latest at apply time": a re-apply of a registered version resolves it as that version recorded it.
    const existingSource = existing === undefined ? undefined : (await this.sources.byIds([existing.sourceId]))[0];
    const sourceVersion = draft.source.version === 0 && existingSource?.spec.name === draft.source.name ? existingSource.version : draft.source.version;
    const source = await this.sources.get(draft.source.name, sourceVersion, 'spec.source.name');
    const spec = validateFeatureSetSpec(draft, source);
    const contractDigest = featureSetContractDigest(spec, source.digest);
    if (existing !== undefined) return { featureSet: this.sameOrRefuse(existing, contractDigest, source), created: false };

    const inserted = await this.featureSets.insert(spec, source.id, contractDigest);
    if (inserted === undefined) {
      // A concurrent apply registered this version first: identical content is fine.
      const winner = await this.featureSets.find(spec.name, spec.version);
      if (winner === undefined) throw new Error(`feature set ${spec.name} version ${spec.version} vanished after a conflicting insert`);
      return { featureSet: this.sameOrRefuse(winner, contractDigest, source), created: false };
    }
    this.logger.info({ featureSet: spec.name, version: spec.version, contractDigest }, `applied feature_set=${spec.name} version=${spec.version} source=${source.spec.name}:${source.version} contract=${contractDigest.slice(0, 19)}…`);
    return { featureSet: { ...inserted, source }, created: true };
  }

  /** One version (0 = the latest) with its resolved source; NOT_FOUND naming it. `field` prefixes INVALID_ARGUMENT paths. */
  async get(ref: { readonly name: string; readonly version: number }, field = 'feature_set'): Promise<FeatureSet> {
    if (ref.name === '') throw new InvalidArgumentError(`${field}.name is required`, [{ field: `${field}.name`, description: 'required' }]);
    if (!Number.isInteger(ref.version) || ref.version < 0) {
      throw new InvalidArgumentError(`${field}.version must be >= 0`, [{ field: `${field}.version`, description: `must be >= 0 (0 = latest), got ${ref.version}` }]);
    }
    const record = await this.featureSets.find(ref.name, ref.version);
    if (record === undefined) throw featureSetNotFound(ref.name, ref.version);
    const [source] = await this.sources.byIds([record.sourceId]);
    if (source === undefined) throw new Error(`feature set ${ref.name} version ${record.spec.version} points at a missing source row ${record.sourceId}`);
    return { ...withoutSourceId(record), source };
  }

  /** Versions matching the filter, by name then version descending, one page at a time. */
  async list(filter: FeatureSetFilter, page: PageRequest): Promise<Page<FeatureSet>> {
    const pageSize = pageSizeOf(page);
    const token = byNameVersion.decode(page.pageToken, filter);
    const after = token === undefined ? undefined : { name: token.split('/')[0] ?? '', version: Number(token.split('/')[1]) };
    const records = await this.featureSets.list(filter, after, pageSize + 1);
    const sources = new Map((await this.sources.byIds([...new Set(records.map((record) => record.sourceId))])).map((source) => [source.id, source]));
    const featureSets = records.flatMap((record) => {
      const source = sources.get(record.sourceId);
      return source === undefined ? [] : [{ ...withoutSourceId(record), source }];
    });
    return pageOf(featureSets, pageSize, (featureSet) => `${featureSet.spec.name}/${featureSet.spec.version}`, byNameVersion, filter);
  }

  private sameOrRefuse(existing: FeatureSetRecord, contractDigest: string, source: Source): FeatureSet {
    if (existing.contractDigest !== contractDigest) throw immutableVersion(existing.spec.name, existing.spec.version, existing.contractDigest, contractDigest);
    return { ...withoutSourceId(existing), source };
  }
}

function withoutSourceId(record: FeatureSetRecord): Omit<FeatureSet, 'source'> {
  const { sourceId: _sourceId, ...featureSet } = record;
  return featureSet;
}
