-- CreateEnum
CREATE TYPE "job_kind" AS ENUM ('import', 'materialize');

-- CreateEnum
CREATE TYPE "job_status" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "sources" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feature_sets" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "owner" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feature_sets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" BIGSERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "entity_key" TEXT NOT NULL,
    "event_time" TIMESTAMPTZ(6) NOT NULL,
    "payload" JSONB NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "ingested_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "quarantined_rows" (
    "id" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "raw" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "replayed_at" TIMESTAMPTZ(6),

    CONSTRAINT "quarantined_rows_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "jobs" (
    "id" UUID NOT NULL,
    "kind" "job_kind" NOT NULL,
    "status" "job_status" NOT NULL DEFAULT 'queued',
    "request" JSONB NOT NULL,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "online_values" (
    "feature_set_id" UUID NOT NULL,
    "entity_key" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "event_time" TIMESTAMPTZ(6) NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "online_values_pkey" PRIMARY KEY ("feature_set_id","entity_key","feature")
);

-- CreateIndex
CREATE UNIQUE INDEX "sources_name_version_key" ON "sources"("name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "feature_sets_name_version_key" ON "feature_sets"("name", "version");

-- CreateIndex
CREATE UNIQUE INDEX "events_source_dedupe_key_key" ON "events"("source", "dedupe_key");

-- CreateIndex
CREATE INDEX "events_source_entity_key_event_time_idx" ON "events"("source", "entity_key", "event_time");

-- CreateIndex
CREATE INDEX "quarantined_rows_source_created_at_idx" ON "quarantined_rows"("source", "created_at");

-- CreateIndex
CREATE INDEX "jobs_status_created_at_idx" ON "jobs"("status", "created_at");

-- AddForeignKey
ALTER TABLE "online_values" ADD CONSTRAINT "online_values_feature_set_id_fkey" FOREIGN KEY ("feature_set_id") REFERENCES "feature_sets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
