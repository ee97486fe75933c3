import { Module } from '@nestjs/common';
import { prismaClientProvider } from '@strata/service-runtime';
import { PrismaClient } from './generated/prisma/client';

/** Root module of training-runner; each domain noun gets its own module under src/ as it lands. */
@Module({
  providers: [prismaClientProvider(PrismaClient)],
})
export class AppModule {}
