import { Injectable } from '@nestjs/common';
import { InvalidArgumentError, type Page, pageOf, type PageRequest, pageSizeOf, PageTokens } from '@strata/service-runtime';
import type { RejectionReason } from '../ingestion/rejection';
import type { ScalarType } from '../shared/scalar';
import type { JobRecord } from '../jobs/job';
import { JobQueue } from '../jobs/job-queue';
import { SourceService } from '../source/source.service';
import type { QuarantinedRow, QuarantineFilter, ReplayJobParams } from './quarantine';
import { QuarantineRepository } from './quarantine.repository';

/** Field types by source name, then field name. */
export type FieldTypes = ReadonlyMap<string, Readonly<Record<string, ScalarType>>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const byId = new PageTokens<string>((value): value is string => typeof value === 'string' && UUID.test(value));

/** ListQuarantine and ReplayQuarantine: rejected rows stay listable until a replay accepts them. */
@Injectable()
export class QuarantineService {
  constructor(
    private readonly rows: QuarantineRepository,
    private readonly sources: SourceService,
    private readonly queue: JobQueue,
  ) {}

  /** Quarantined rows matching `filter`, newest first, with the field types of their sources' latest versions (to type the raw values). */
  async list(filter: QuarantineFilter, page: PageRequest): Promise<{ page: Page<QuarantinedRow>; fieldTypes: FieldTypes }> {
    const pageSize = pageSizeOf(page);
    if (filter.jobId !== undefined && !UUID.test(filter.jobId)) return { page: { items: [], nextPageToken: '' }, fieldTypes: new Map() };
    const before = byId.decode(page.pageToken, filter);
    const rows = await this.rows.list(filter, before, pageSize + 1);
    const result = pageOf(rows, pageSize, (row) => row.id, byId, filter);
    const fieldTypes = new Map<string, Record<string, ScalarType>>();
    for (const name of new Set(result.items.map((row) => row.source))) {
      const source = await this.sources.latest(name).catch(() => undefined);
      if (source !== undefined) fieldTypes.set(name, Object.fromEntries(source.spec.fields.map((field) => [field.name, field.type])));
    }
    return { page: result, fieldTypes };
  }

  /**
   * Enqueues a replay of the selected rows of `source` against its latest version.
   * NOT_FOUND for an unknown source; INVALID_ARGUMENT naming each unknown row ID.
   */
  async replay(source: string, rowIds: readonly string[], reason: RejectionReason | undefined): Promise<JobRecord> {
    const current = await this.sources.get(source, 0, 'source');
    const malformed = rowIds.map((id, index) => ({ id, index })).filter(({ id }) => !UUID.test(id));
    const unknown = new Set([...malformed.map(({ id }) => id), ...(await this.rows.unknownIds(current.spec.name, rowIds.filter((id) => UUID.test(id))))]);
    if (unknown.size > 0) {
      throw new InvalidArgumentError(`${unknown.size} row ID(s) are not quarantined rows of source ${source}`, rowIds.flatMap((id, index) => (unknown.has(id) ? [{ field: `row_ids[${index}]`, description: `${id} is not a quarantined row of source ${source}` }] : [])));
    }
    const selectedRows = await this.rows.countSelection(current.spec.name, rowIds, reason);
    const params: ReplayJobParams = { source: current.spec.name, rowIds: [...rowIds], ...(reason === undefined ? {} : { reason }), selectedRows };
    const { job } = await this.queue.enqueue({ kind: 'replay', params: { ...params }, rowsTotal: selectedRows });
    return job;
  }
}
