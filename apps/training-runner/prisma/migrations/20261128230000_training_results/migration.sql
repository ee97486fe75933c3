-- Training jobs record everything a run produced (results JSON, error code, artifact size),
-- number their events from a per-job counter, and keep the exported artifact until it is
-- registered. Jobs without an idempotency key are allowed.

-- AlterTable
ALTER TABLE "training_jobs" ALTER COLUMN "idempotency_key" DROP NOT NULL,
ADD COLUMN "spec_digest" TEXT NOT NULL DEFAULT '',
ADD COLUMN "cancel_reason" TEXT,
ADD COLUMN "error_code" TEXT,
ADD COLUMN "error_retryable" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "dataset_snapshot_id" TEXT,
ADD COLUMN "artifact_size" BIGINT,
ADD COLUMN "results" JSONB,
ADD COLUMN "event_seq" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "training_jobs_model_name_idx" ON "training_jobs"("model_name");

-- CreateTable
CREATE TABLE "job_artifacts" (
    "job_id" UUID NOT NULL,
    "sha256" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_artifacts_pkey" PRIMARY KEY ("job_id")
);

-- AddForeignKey
ALTER TABLE "job_artifacts" ADD CONSTRAINT "job_artifacts_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "training_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
