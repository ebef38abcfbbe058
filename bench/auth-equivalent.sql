-- pgbench script for bench/authentications.bench.ts: the raw SQL an authentication needs at least,
-- one ~300-byte record insert plus one per-tenant counter update, in one transaction.
\set t random(1, 100)
BEGIN;
INSERT INTO auth_records (tenant_id, payload)
  VALUES (('00000000-0000-4000-8000-' || lpad(:t::text, 12, '0'))::uuid, repeat(md5(random()::text), 10));
UPDATE tenant_counters SET n = n + 1 WHERE tenant_id = ('00000000-0000-4000-8000-' || lpad(:t::text, 12, '0'))::uuid;
END;
