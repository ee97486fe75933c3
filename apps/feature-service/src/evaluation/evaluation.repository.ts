import { Injectable } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client';
import type { Scalar } from '../shared/scalar';

/** One evaluated target as the evaluation statement returns it. */
export interface EvaluationRow {
  /** 1-based position of the target in the batch. */
  readonly ord: number;
  readonly seen: boolean;
  readonly vals: Scalar[];
  readonly ets: (string | null)[];
}

/** Runs evaluation statements (built by evaluation-sql) against the offline store. */
@Injectable()
export class EvaluationRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Runs one evaluation statement with its parameters. */
  async evaluate(sql: string, params: readonly unknown[]): Promise<EvaluationRow[]> {
    return this.prisma.$queryRawUnsafe<EvaluationRow[]>(sql, ...params);
  }
}
