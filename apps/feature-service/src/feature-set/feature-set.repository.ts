import { Injectable } from '@nestjs/common';
import { Prisma, PrismaClient } from '../generated/prisma/client';
import type { FeatureSet, FeatureSetSpec } from './feature-set';

/** A stored feature set version, pointing at its source version by row ID. */
export type FeatureSetRecord = Omit<FeatureSet, 'source'> & { readonly sourceId: string };

/** ListFeatureSets filters; unset members do not filter. */
export interface FeatureSetFilter {
  readonly name?: string;
  readonly owner?: string;
  readonly latestOnly: boolean;
}

interface FeatureSetRow {
  readonly id: string;
  readonly spec: unknown;
  readonly contractDigest: string;
  readonly sourceId: string;
  readonly createdAt: Date;
  readonly materializedUntil: Date | null;
  readonly onlineGeneration: bigint | number | string;
}

const COLUMNS = `id::text AS "id", spec, contract_digest AS "contractDigest", source_id::text AS "sourceId", created_at AS "createdAt",
  materialized_until AS "materializedUntil", online_generation AS "onlineGeneration"`;

/** Applied feature set versions. The only Prisma user of the feature-set domain. */
@Injectable()
export class FeatureSetRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** One version, or the latest when `version` is 0. */
  async find(name: string, version: number): Promise<FeatureSetRecord | undefined> {
    const row =
      version === 0
        ? await this.prisma.featureSet.findFirst({ where: { name }, orderBy: { version: 'desc' } })
        : await this.prisma.featureSet.findUnique({ where: { name_version: { name, version } } });
    return row === null ? undefined : toRecord(row);
  }

  /** Inserts the version; undefined when (name, version) exists already (a concurrent apply won). */
  async insert(spec: FeatureSetSpec, sourceId: string, contractDigest: string): Promise<FeatureSetRecord | undefined> {
    try {
      const row = await this.prisma.featureSet.create({
        data: { name: spec.name, version: spec.version, contractDigest, spec: spec as unknown as Prisma.InputJsonObject, sourceId, owner: spec.owner },
      });
      return toRecord(row);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return undefined;
      throw error;
    }
  }

  /** Versions matching `filter`, by name then version descending, after `after`, at most `limit`. */
  async list(filter: FeatureSetFilter, after: { readonly name: string; readonly version: number } | undefined, limit: number): Promise<FeatureSetRecord[]> {
    const rows = await this.prisma.$queryRawUnsafe<FeatureSetRow[]>(
      `SELECT ${COLUMNS}
         FROM feature_sets fs
        WHERE ($1::text IS NULL OR fs.name = $1::text)
          AND ($2::text IS NULL OR fs.owner = $2::text)
          AND (NOT $3::boolean OR fs.version = (SELECT max(latest.version) FROM feature_sets latest WHERE latest.name = fs.name))
          AND ($4::text IS NULL OR fs.name > $4::text OR (fs.name = $4::text AND fs.version < $5::int))
        ORDER BY fs.name, fs.version DESC
        LIMIT $6::int`,
      filter.name ?? null,
      filter.owner ?? null,
      filter.latestOnly,
      after?.name ?? null,
      after?.version ?? 0,
      limit,
    );
    return rows.map(toRecord);
  }
}

function toRecord(row: FeatureSetRow): FeatureSetRecord {
  return {
    id: row.id,
    spec: row.spec as FeatureSetSpec,
    contractDigest: row.contractDigest,
    sourceId: row.sourceId,
    createdAt: row.createdAt,
    ...(row.materializedUntil === null ? {} : { materializedUntil: row.materializedUntil }),
    onlineGeneration: BigInt(row.onlineGeneration),
  };
}
