import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client';
import type { Source, SourceSpec } from './source';

interface SourceRow {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly digest: string;
  readonly spec: unknown;
  readonly createdAt: Date;
}

/** Applied source versions, and the newest event time of each source. The only Prisma user of the source domain. */
@Injectable()
export class SourceRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** One version, or the latest when `version` is 0. */
  async find(name: string, version: number): Promise<Source | undefined> {
    const row =
      version === 0
        ? await this.prisma.source.findFirst({ where: { name }, orderBy: { version: 'desc' } })
        : await this.prisma.source.findUnique({ where: { name_version: { name, version } } });
    if (row === null) return undefined;
    const [source] = await this.withLatestEventTimes([row]);
    return source;
  }

  /** Source versions by row ID (for feature sets), with their newest event times. */
  async findByIds(ids: readonly string[]): Promise<Source[]> {
    if (ids.length === 0) return [];
    const rows = await this.prisma.source.findMany({ where: { id: { in: [...ids] } } });
    return this.withLatestEventTimes(rows);
  }

  /**
   * Inserts version `version`; undefined when that (name, version) already exists (a
   * concurrent apply won), so the caller re-reads and decides again.
   */
  async insertVersion(spec: SourceSpec, version: number, digest: string): Promise<Source | undefined> {
    try {
      const row = await this.prisma.source.create({ data: { name: spec.name, version, digest, spec: spec as unknown as Prisma.InputJsonObject } });
      return toSource(row, undefined);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return undefined;
      throw error;
    }
  }

  /** The latest version of each source named after `afterName`, by name, at most `limit`. */
  async listLatest(afterName: string | undefined, limit: number): Promise<Source[]> {
    const rows = await this.prisma.$queryRawUnsafe<SourceRow[]>(
      `SELECT DISTINCT ON (name) id::text AS "id", name, version, digest, spec, created_at AS "createdAt"
         FROM sources
        WHERE ($1::text IS NULL OR name > $1::text)
        ORDER BY name, version DESC
        LIMIT $2::int`,
      afterName ?? null,
      limit,
    );
    return this.withLatestEventTimes(rows);
  }

  private async withLatestEventTimes(rows: readonly SourceRow[]): Promise<Source[]> {
    if (rows.length === 0) return [];
    const names = [...new Set(rows.map((row) => row.name))];
    const latest = await this.prisma.event.groupBy({ by: ['source'], where: { source: { in: names } }, _max: { eventTime: true } });
    const latestBySource = new Map(latest.map((group) => [group.source, group._max.eventTime ?? undefined]));
    return rows.map((row) => toSource(row, latestBySource.get(row.name)));
  }
}

function toSource(row: SourceRow, latestEventTime: Date | undefined): Source {
  return {
    id: row.id,
    version: row.version,
    digest: row.digest,
    spec: row.spec as SourceSpec,
    createdAt: row.createdAt,
    ...(latestEventTime === undefined ? {} : { latestEventTime }),
  };
}
