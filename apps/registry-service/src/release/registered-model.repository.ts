import { Injectable } from '@nestjs/common';
import type { PrismaTx } from '../audit-log/audit-log.repository';
import { PrismaClient } from '../generated/prisma/client';

/** A registered model as the release side needs it. */
export interface RegisteredModel {
  readonly id: string;
  readonly name: string;
}

/** Finds and locks registered models for the release use cases (models themselves are owned by src/model). */
@Injectable()
export class RegisteredModelRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async find(name: string, tx: PrismaTx = this.prisma): Promise<RegisteredModel | undefined> {
    return (await tx.model.findUnique({ where: { name }, select: { id: true, name: true } })) ?? undefined;
  }

  /** Locks the model's row until `tx` ends: alias moves of one model queue here even when the alias does not exist yet. */
  async lockForUpdate(tx: PrismaTx, modelId: string): Promise<void> {
    await tx.$executeRaw`SELECT 1 FROM models WHERE id = ${modelId}::uuid FOR UPDATE`;
  }
}
