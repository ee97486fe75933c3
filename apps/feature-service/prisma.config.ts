// Prisma CLI settings for feature-service. `prisma generate` needs no database; the URL is
// read only by CLI commands that connect (e.g. studio). Migrations are applied by
// @strata/persistence (see libs/persistence), not by `prisma migrate`.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['DATABASE_URL'] },
});
