import { Injectable } from '@nestjs/common';
import { onlineRefreshSql } from '../evaluation/evaluation-sql';
import { tileSelectSql } from '../evaluation/tile-sql';
import { featureSlotsOf } from '../evaluation/window-sql';
import type { FeatureSet } from '../feature-set/feature-set';
import { PrismaClient } from '../generated/prisma/client';

/** The result of one online refresh. */
export interface OnlineRefresh {
  /** The instant the online values were evaluated at (the new materialized_until). */
  readonly evaluatedAt: Date;
  readonly generation: bigint;
  readonly rows: number;
}

/** Memory PostgreSQL may use to group one slice's events into tiles. */
const TILE_WORK_MEM = '128MB';

const TRANSACTION_OPTIONS = { maxWait: 60_000, timeout: 600_000 };

/** The offline (feature_tiles) and online (online_features) stores, written set-based. */
@Injectable()
export class MaterializationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Event time of the source's earliest accepted event, or undefined when it has none. */
  async earliestEventTime(source: string): Promise<Date | undefined> {
    const [row] = await this.prisma.$queryRawUnsafe<{ earliest: Date | null }[]>('SELECT min(event_time) AS earliest FROM events WHERE source = $1', source);
    return row?.earliest === null || row?.earliest === undefined ? undefined : new Date(row.earliest);
  }

  /** Number of the source's events with event time in [start, end). */
  async countEvents(source: string, start: Date, end: Date): Promise<number> {
    const [row] = await this.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM events WHERE source = $1 AND event_time >= $2::timestamptz AND event_time < $3::timestamptz', source, start.toISOString(), end.toISOString());
    return row?.n ?? 0;
  }

  /**
   * Rewrites the tiles of [start, end) from the events in that range, in one transaction
   * (delete, then one INSERT ... SELECT), so a re-run writes identical tiles.
   */
  async writeTiles(featureSet: FeatureSet, start: Date, end: Date): Promise<{ tiles: number; events: number }> {
    const insert = [
      'WITH written AS (',
      'INSERT INTO feature_tiles (feature_set_id, entity_key, tile_time, event_count, max_ingested_at, cnt, sm, mn, mx, lst)',
      `SELECT $1::uuid, tiles.* FROM (\n${tileSelectSql(featureSet, 'ev.source = $2 AND ev.event_time >= $3::timestamptz AND ev.event_time < $4::timestamptz')}\n) tiles`,
      // In primary-key order: the index is then updated page after page instead of at random
      // places (what a hash aggregate yields), ~10 % less work and WAL per tile.
      'ORDER BY tiles.entity_key, tiles.tile_time',
      'RETURNING event_count)',
      'SELECT count(*)::int AS tiles, coalesce(sum(event_count), 0)::int AS events FROM written',
    ].join('\n');
    const range = [start.toISOString(), end.toISOString()];
    const [, , , written] = await this.prisma.$transaction(
      [
        // One slice is grouped in memory: the default work_mem (4 MB) spills it to disk. No JIT:
        // once the events have statistics, every slice's statement costs enough to be compiled
        // (a quarter of a second each), which a single pass over the rows never pays back.
        this.prisma.$executeRawUnsafe(`SET LOCAL work_mem = '${TILE_WORK_MEM}'`),
        this.prisma.$executeRawUnsafe('SET LOCAL jit = off'),
        this.prisma.$executeRawUnsafe('DELETE FROM feature_tiles WHERE feature_set_id = $1::uuid AND tile_time >= $2::timestamptz AND tile_time < $3::timestamptz', featureSet.id, ...range),
        this.prisma.$queryRawUnsafe<{ tiles: number; events: number }[]>(insert, featureSet.id, featureSet.source.spec.name, ...range),
      ],
      TRANSACTION_OPTIONS,
    );
    return written[0] ?? { tiles: 0, events: 0 };
  }

  /**
   * In one transaction: moves materialized_until to max(its value, `until`), bumps
   * online_generation, and re-evaluates every entity with tiles at that instant into the
   * online table.
   */
  async refreshOnline(featureSet: FeatureSet, until: Date): Promise<OnlineRefresh> {
    const slots = featureSlotsOf(featureSet);
    const [, , rows, state] = await this.prisma.$transaction(
      [
        this.prisma.$executeRawUnsafe('SET LOCAL jit = off'),
        // Locks the feature set row: concurrent refreshes of one feature set run one after the other.
        this.prisma.$executeRawUnsafe(
          'UPDATE feature_sets SET materialized_until = GREATEST(coalesce(materialized_until, $2::timestamptz), $2::timestamptz), online_generation = online_generation + 1 WHERE id = $1::uuid',
          featureSet.id,
          until.toISOString(),
        ),
        this.prisma.$executeRawUnsafe(onlineRefreshSql(featureSet, slots, '(SELECT f.materialized_until FROM feature_sets f WHERE f.id = $1::uuid)'), featureSet.id),
        this.prisma.$queryRawUnsafe<{ materialized_until: Date; online_generation: bigint }[]>('SELECT materialized_until, online_generation FROM feature_sets WHERE id = $1::uuid', featureSet.id),
      ],
      TRANSACTION_OPTIONS,
    );
    const current = state[0];
    if (current === undefined) throw new Error(`feature set ${featureSet.spec.name}:${featureSet.spec.version} was deleted during materialization`);
    return { evaluatedAt: new Date(current.materialized_until), generation: BigInt(current.online_generation), rows };
  }
}
