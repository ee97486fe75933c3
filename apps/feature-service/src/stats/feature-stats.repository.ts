import { Injectable } from '@nestjs/common';
import type { FeatureSet } from '../feature-set/feature-set';
import { PrismaClient } from '../generated/prisma/client';
import type { FeatureSetStatistics, FeatureStatistics } from './feature-stats';
import { featureStatsSql, statsColumnsOf } from './feature-stats-sql';

type StatsRow = Record<string, bigint | number | string | Date | null>;

/** Statistics over the online table. The only Prisma user of the stats domain. */
@Injectable()
export class FeatureStatsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Computes the statistics of `featureSet`'s online values in one statement. */
  async compute(featureSet: FeatureSet): Promise<FeatureSetStatistics> {
    const features = featureSet.spec.features;
    const [row] = await this.prisma.$queryRawUnsafe<StatsRow[]>(featureStatsSql(features), featureSet.id);
    if (row === undefined) throw new Error('the statistics statement returned no row');
    const computedAt = dateOf(row['computed_at']) ?? new Date();
    return {
      contract: { name: featureSet.spec.name, version: featureSet.spec.version, digest: featureSet.contractDigest },
      entityCount: Number(row['entity_count'] ?? 0),
      computedAt,
      features: features.map((feature, index): FeatureStatistics => {
        const names = statsColumnsOf(index);
        const slots = Number(row[names.slots] ?? 0);
        const values = Number(row[names.values] ?? 0);
        const latestEventTime = dateOf(row[names.latest]);
        const min = numberOf(row[names.min]);
        const max = numberOf(row[names.max]);
        const mean = numberOf(row[names.mean]);
        return {
          name: feature.name,
          count: slots,
          nullRate: slots === 0 ? 0 : (slots - values) / slots,
          ...(min === undefined ? {} : { min }),
          ...(max === undefined ? {} : { max }),
          ...(mean === undefined ? {} : { mean }),
          ...(latestEventTime === undefined ? {} : { latestEventTime, freshnessLagMs: Math.max(0, computedAt.getTime() - latestEventTime.getTime()) }),
        };
      }),
    };
  }
}

function numberOf(value: StatsRow[string] | undefined): number | undefined {
  if (value === null || value === undefined || value instanceof Date) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function dateOf(value: StatsRow[string] | undefined): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
