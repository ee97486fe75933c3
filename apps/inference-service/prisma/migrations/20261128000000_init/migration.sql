-- CreateEnum
CREATE TYPE "load_event_kind" AS ENUM ('downloading', 'loaded', 'warmed', 'unloaded', 'failed');

-- CreateTable
CREATE TABLE "artifact_cache_entries" (
    "digest" TEXT NOT NULL,
    "model_name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "path" TEXT NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "artifact_cache_entries_pkey" PRIMARY KEY ("digest")
);

-- CreateTable
CREATE TABLE "load_events" (
    "id" UUID NOT NULL,
    "model_name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "kind" "load_event_kind" NOT NULL,
    "detail" TEXT,
    "duration_ms" INTEGER,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "load_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "artifact_cache_entries_last_used_at_idx" ON "artifact_cache_entries"("last_used_at");

-- CreateIndex
CREATE INDEX "load_events_model_name_created_at_idx" ON "load_events"("model_name", "created_at");
