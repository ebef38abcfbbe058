-- AlterEnum
ALTER TYPE "report_format" ADD VALUE 'ndjson';

-- AlterTable
ALTER TABLE "report_exports" ADD COLUMN "gzip" BOOLEAN NOT NULL DEFAULT false;
