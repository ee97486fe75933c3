import { Injectable } from '@nestjs/common';
import type { DatasetCell } from '../dataset/dataset';
import { nullCell } from '../dataset/dataset';
import { filterToSql, parseFilter } from '../filter';
import { PrismaClient } from '../generated/prisma/client';
import type { Scalar } from '../shared/scalar';
import type { Source } from '../source/source';
import type { EntityQuery, EntityRow } from './training-set';

/** What an entity query reads: the query, its source, the entity key fields, the cutoff and the row limit. */
export interface EntityRowSelection {
  readonly query: EntityQuery;
  readonly source: Source;
  readonly keyFields: readonly string[];
  readonly knownAt?: Date;
  /** At most this many rows are returned (callers ask for one more than they accept). */
  readonly limit: number;
}

interface EntityRowRecord {
  entity_id: string;
  at: Date;
  extras: (Scalar | null)[];
}

/** Entity rows of training sets taken from a source's accepted events. The only Prisma user of the historical domain. */
@Injectable()
export class EntityRowRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * One row per accepted event of the source with event time in [start, end) that passes the
   * filter (and, with a cutoff, was ingested at or before it), ordered by (event_time, id):
   * entity ID = the key fields' values joined with `|`, timestamp = 1 ms before the event time
   * (so an event never feeds its own features: a label taken from the event cannot leak into
   * them), extras = the listed payload fields (an absent field is an explicit null).
   */
  async select(selection: EntityRowSelection): Promise<EntityRow[]> {
    const { query, source, keyFields } = selection;
    const params: unknown[] = [source.spec.name, query.start.toISOString(), query.end.toISOString(), selection.limit];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const sameKey = keyFields.join('|') === source.spec.entityKeyFields.join('|');
    const entityId = sameKey ? 'ev.entity_key' : `concat_ws('|', ${keyFields.map((field) => `ev.payload->>${param(field)}::text`).join(', ')})`;
    const extras = `jsonb_build_array(${query.extraFields.map((field) => `ev.payload->${param(field)}::text`).join(', ')})`;
    const conditions = ['ev.source = $1', 'ev.event_time >= $2::timestamptz', 'ev.event_time < $3::timestamptz'];
    if (selection.knownAt !== undefined) conditions.push(`ev.ingested_at <= ${param(selection.knownAt.toISOString())}::timestamptz`);
    if (query.filter !== '') {
      const types = new Map(source.spec.fields.map((field) => [field.name, field.type]));
      // The filter was type-checked against the source (training-set-plan); its literals are escaped.
      conditions.push(filterToSql(parseFilter(query.filter), (field) => types.get(field) ?? 'STRING', 'ev.payload'));
    }
    const sql = `SELECT ${entityId} AS entity_id, ev.event_time - interval '1 millisecond' AS at, ${extras} AS extras FROM events ev WHERE ${conditions.join(' AND ')} ORDER BY ev.event_time, ev.id LIMIT $4`;
    const records = await this.prisma.$queryRawUnsafe<EntityRowRecord[]>(sql, ...params);
    return records.map((record) => ({ entityId: record.entity_id, at: new Date(record.at), extras: record.extras.map(extraCellOf) }));
  }
}

function extraCellOf(value: Scalar | null): DatasetCell {
  return value === null ? nullCell('EXPLICIT') : value;
}
