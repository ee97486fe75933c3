import { Inject, Injectable } from '@nestjs/common';
import { FailedPreconditionError, InvalidArgumentError, LOGGER, type Page, pageOf, type PageRequest, pageSizeOf, PageTokens } from '@strata/service-runtime';
import type { Logger } from 'pino';
import type { Source } from './source';
import { sourceNotFound } from './source.errors';
import { SourceRepository } from './source.repository';
import { incompatibleChanges, sourceDigest, type SourceSpecDraft, validateSourceSpec } from './source-spec';

const byName = new PageTokens<string>((value): value is string => typeof value === 'string');
/** Concurrent applies of different specs to one source retry this often before giving up. */
const MAX_APPLY_ATTEMPTS = 5;

/** Event sources: validated, versioned, idempotent applies; reads by name and version. */
@Injectable()
export class SourceService {
  constructor(
    private readonly sources: SourceRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Applies a spec: the latest version when identical (changed = false), else version N+1.
   * INVALID_ARGUMENT for a bad spec; FAILED_PRECONDITION when the change alters the entity
   * key, the event-time field or a field's type. Concurrent identical applies create one version.
   */
  async apply(draft: SourceSpecDraft): Promise<{ source: Source; changed: boolean }> {
    const spec = validateSourceSpec(draft);
    const digest = sourceDigest(spec);
    for (let attempt = 1; ; attempt += 1) {
      const latest = await this.sources.find(spec.name, 0);
      if (latest?.digest === digest) return { source: latest, changed: false };
      if (latest !== undefined) {
        const violations = incompatibleChanges(latest.spec, spec, latest.version);
        if (violations.length > 0) {
          throw new FailedPreconditionError(`source "${spec.name}" cannot change incompatibly: ${violations.map((v) => v.description).join('; ')}`, violations);
        }
      }
      const version = (latest?.version ?? 0) + 1;
      const created = await this.sources.insertVersion(spec, version, digest);
      if (created !== undefined) {
        this.logger.info({ source: spec.name, version, digest }, `applied source=${spec.name} version=${version} digest=${digest.slice(0, 19)}…`);
        return { source: { ...created, ...(latest?.latestEventTime === undefined ? {} : { latestEventTime: latest.latestEventTime }) }, changed: true };
      }
      // Another apply created this version meanwhile: re-read and decide again.
      if (attempt >= MAX_APPLY_ATTEMPTS) throw new Error(`source "${spec.name}": gave up after ${attempt} concurrent apply conflicts`);
    }
  }

  /** One version (0 = the latest); NOT_FOUND naming the source. `field` names the request field for INVALID_ARGUMENT. */
  async get(name: string, version: number, field = 'name'): Promise<Source> {
    if (name === '') throw new InvalidArgumentError(`${field} is required`, [{ field, description: 'required' }]);
    if (!Number.isInteger(version) || version < 0) throw new InvalidArgumentError('version must be >= 0', [{ field: 'version', description: `must be >= 0 (0 = latest), got ${version}` }]);
    const source = await this.sources.find(name, version);
    if (source === undefined) throw sourceNotFound(name, version);
    return source;
  }

  /** The latest version of a source; NOT_FOUND naming it. */
  latest(name: string): Promise<Source> {
    return this.get(name, 0);
  }

  /** Source versions by row ID (feature sets point at one), with their newest event times. */
  byIds(ids: readonly string[]): Promise<Source[]> {
    return this.sources.findByIds(ids);
  }

  /** The latest version of every source, by name, one page at a time. */
  async list(page: PageRequest): Promise<Page<Source>> {
    const pageSize = pageSizeOf(page);
    const after = byName.decode(page.pageToken, 'sources');
    const rows = await this.sources.listLatest(after, pageSize + 1);
    return pageOf(rows, pageSize, (source) => source.spec.name, byName, 'sources');
  }
}
