-- Monthly partitions kept ahead for years (issue 16 item 1, docs/decisions/0022). Hand-written.
-- The first migration created this month and the next two only; after that every row landed in the
-- DEFAULT partitions, where partition pruning and monthly retention no longer work.
--
-- twofold_maintain_partitions, called by a scheduled job of the reporting worker: for each monthly
-- partitioned table, (1) moves rows found in DEFAULT into partitions of their own months (creating
-- them; twofold_create_month_partitions moves the rows) and reports how many, so the job can alert;
-- (2) makes sure the month of p_now and the p_ahead months after it have partitions.
CREATE FUNCTION "twofold_maintain_partitions"(p_now timestamptz, p_ahead integer)
RETURNS TABLE (table_name text, created integer, moved bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v_table text;
  v_col text;
  v_month date;
  v_moved bigint;
  v_created integer;
BEGIN
  FOREACH v_table IN ARRAY ARRAY['authentication_records', 'usage_ledger'] LOOP
    v_col := CASE v_table WHEN 'authentication_records' THEN 'occurred_at' ELSE 'period_start' END;
    -- One maintenance at a time per table (replicas, a manual run): the rest wait here.
    PERFORM pg_advisory_xact_lock(hashtextextended('twofold_partitions:' || v_table, 0));
    EXECUTE format('SELECT count(*) FROM %I', v_table || '_default') INTO v_moved;
    v_created := 0;
    FOR v_month IN EXECUTE format(
      'SELECT DISTINCT (date_trunc(''month'', %I AT TIME ZONE ''UTC''))::date FROM %I ORDER BY 1',
      v_col, v_table || '_default')
    LOOP
      v_created := v_created + twofold_create_month_partitions(v_table, v_month, 1);
    END LOOP;
    v_created := v_created + twofold_create_month_partitions(
      v_table, (p_now AT TIME ZONE 'UTC')::date, GREATEST(p_ahead, 0) + 1);
    table_name := v_table;
    created := v_created;
    moved := v_moved;
    RETURN NEXT;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION "twofold_maintain_partitions"(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_maintain_partitions"(timestamptz, integer) TO twofold_app;
