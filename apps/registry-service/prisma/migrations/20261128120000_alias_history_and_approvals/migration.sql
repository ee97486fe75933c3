-- AlterTable
ALTER TABLE "evidence" ADD COLUMN     "name" TEXT NOT NULL;

-- CreateTable
CREATE TABLE "alias_history" (
    "id" UUID NOT NULL,
    "model_id" UUID NOT NULL,
    "alias" TEXT NOT NULL,
    "from_version" INTEGER,
    "to_version" INTEGER NOT NULL,
    "revision" BIGINT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "rollback" BOOLEAN NOT NULL DEFAULT false,
    "moved_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alias_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "approvals" (
    "id" UUID NOT NULL,
    "model_version_id" UUID NOT NULL,
    "alias" TEXT NOT NULL,
    "approved_by" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approvals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "alias_history_model_id_alias_revision_idx" ON "alias_history"("model_id", "alias", "revision");

-- CreateIndex
CREATE UNIQUE INDEX "approvals_model_version_id_alias_approved_by_key" ON "approvals"("model_version_id", "alias", "approved_by");

-- CreateIndex
CREATE UNIQUE INDEX "evidence_model_version_id_name_key" ON "evidence"("model_version_id", "name");

-- AddForeignKey
ALTER TABLE "alias_history" ADD CONSTRAINT "alias_history_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_model_version_id_fkey" FOREIGN KEY ("model_version_id") REFERENCES "model_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
