-- CreateEnum
CREATE TYPE "training_job_status" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "job_event_kind" AS ENUM ('status', 'progress', 'log');

-- CreateTable
CREATE TABLE "training_jobs" (
    "id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "model_name" TEXT NOT NULL,
    "trainer" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "status" "training_job_status" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(6),
    "cancel_requested_at" TIMESTAMPTZ(6),
    "error" TEXT,
    "dataset_digest" TEXT,
    "artifact_digest" TEXT,
    "metrics" JSONB,
    "registered_version" INTEGER,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),

    CONSTRAINT "training_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_events" (
    "job_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "kind" "job_event_kind" NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_events_pkey" PRIMARY KEY ("job_id","seq")
);

-- CreateTable
CREATE TABLE "dataset_snapshots" (
    "id" UUID NOT NULL,
    "digest" TEXT NOT NULL,
    "feature_snapshot_id" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "columns" JSONB NOT NULL,
    "row_count" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dataset_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "training_jobs_idempotency_key_key" ON "training_jobs"("idempotency_key");

-- CreateIndex
CREATE INDEX "training_jobs_status_created_at_idx" ON "training_jobs"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "dataset_snapshots_digest_key" ON "dataset_snapshots"("digest");

-- AddForeignKey
ALTER TABLE "job_events" ADD CONSTRAINT "job_events_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "training_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
