-- Delivery (issue 5, docs/decisions/0012-delivery.md). Hand-written.

-- Per-code send rate; null = the worker's SHORT_CODE_RATE_PER_SECOND.
ALTER TABLE "short_codes" ADD COLUMN "rate_limit_per_second" INTEGER;
ALTER TABLE "short_codes" ADD CONSTRAINT "short_codes_rate_limit_positive"
  CHECK ("rate_limit_per_second" IS NULL OR "rate_limit_per_second" > 0);
ALTER TABLE "sender_routes" ADD CONSTRAINT "sender_routes_rate_limit_positive"
  CHECK ("rate_limit_per_second" IS NULL OR "rate_limit_per_second" > 0);

-- Tenant delivery settings: SMS -> voice fallback, and the SMS body (null = safe default).
ALTER TABLE "tenants" ADD COLUMN "sms_fallback_to_voice" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "tenants" ADD COLUMN "sms_template" TEXT;
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_sms_template_has_code"
  CHECK ("sms_template" IS NULL OR (position('{code}' in "sms_template") > 0 AND length("sms_template") <= 320));

-- R21 short-code pools. Operators change them through the delivery API afterwards.
INSERT INTO "short_codes" ("id", "country", "code", "enabled", "updated_at") VALUES
  (gen_random_uuid(), 'US', '97671', true, now()),
  (gen_random_uuid(), 'US', '69829', true, now()),
  (gen_random_uuid(), 'US', '51789', true, now()),
  (gen_random_uuid(), 'US', '99399', true, now()),
  (gen_random_uuid(), 'CA', '759731', true, now()),
  (gen_random_uuid(), 'CA', '673801', true, now())
ON CONFLICT ("code") DO NOTHING;
