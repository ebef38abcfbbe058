-- Retention and erasure (issue 16 item 2, docs/decisions/0025). Hand-written.
--
-- A tenant's own retention of authentication records and audit entries, in days; NULL = the platform
-- default. The bounds are the operator's (RECORD_/AUDIT_RETENTION_DAYS_MIN/_MAX): the API refuses a
-- value outside them, and the purge clamps a value that later bounds no longer admit.
ALTER TABLE "tenants" ADD COLUMN "record_retention_days" INTEGER;
ALTER TABLE "tenants" ADD COLUMN "audit_retention_days" INTEGER;

-- Every tenant's retention settings, for the purge of the reporting worker (no tenant is set then,
-- and RLS on tenants admits only one's own row).
CREATE FUNCTION "twofold_tenant_retention"()
RETURNS TABLE (tenant_id uuid, record_retention_days integer, audit_retention_days integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT id, record_retention_days, audit_retention_days FROM tenants ORDER BY id
$$;
REVOKE ALL ON FUNCTION "twofold_tenant_retention"() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_tenant_retention"() TO twofold_app;

-- Detaches and drops the monthly partitions of authentication_records whose whole month ends at or
-- before p_before (no tenant keeps anything that old). Never DEFAULT, never usage_ledger (financial,
-- no personal data: not subject to tenant retention). DETACH and DROP take an ACCESS EXCLUSIVE lock on
-- the parent: lock_timeout keeps this from queueing behind a long report read (and everything behind
-- it); a run that cannot get the lock fails and the next run tries again. Serialised with
-- twofold_maintain_partitions by the same advisory lock.
CREATE FUNCTION "twofold_drop_record_months"(p_before timestamptz)
RETURNS TABLE (partition_name text, row_count bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_part text;
  v_end timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('twofold_partitions:authentication_records', 0));
  SET LOCAL lock_timeout = '5s';
  FOR v_part IN
    SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'authentication_records'::regclass
       AND c.relname ~ '^authentication_records_p[0-9]{6}$'
     ORDER BY 1
  LOOP
    v_end := (to_date(right(v_part, 6), 'YYYYMM') + interval '1 month')::timestamp AT TIME ZONE 'UTC';
    CONTINUE WHEN v_end > p_before;
    EXECUTE format('SELECT count(*) FROM %I', v_part) INTO row_count;
    EXECUTE format('ALTER TABLE authentication_records DETACH PARTITION %I', v_part);
    EXECUTE format('DROP TABLE %I', v_part);
    partition_name := v_part;
    RETURN NEXT;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION "twofold_drop_record_months"(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_drop_record_months"(timestamptz) TO twofold_app;
