-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "created_by" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "description" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "expires_at" TIMESTAMPTZ(6),
ADD COLUMN     "last_used_at" TIMESTAMPTZ(6);

-- CreateIndex
CREATE INDEX "api_keys_created_at_id_idx" ON "api_keys"("created_at" DESC, "id" DESC);

-- CreateIndex (hand-written: a partial unique index, which schema.prisma cannot express):
-- at most one non-revoked key per name.
CREATE UNIQUE INDEX "api_keys_active_name_key" ON "api_keys"("name") WHERE "revoked_at" IS NULL;
