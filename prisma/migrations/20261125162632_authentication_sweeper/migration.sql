-- CreateIndex
CREATE INDEX "authentications_status_expires_at_idx" ON "authentications"("status", "expires_at");

-- Hand-written (docs/decisions/0010-authentication-engine.md).

-- Every authentication ends in exactly one record, also the ones nobody ever checks again: a
-- sweeper closes pending authentications past their expiry. It runs before any tenant is known,
-- so it gets only (tenant_id, id) pairs here and closes each inside that tenant's scope.
CREATE FUNCTION "twofold_expired_authentications"(p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT a.tenant_id, a.id FROM authentications a
   WHERE a.status = 'pending' AND a.expires_at <= now()
   ORDER BY a.expires_at
   LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION "twofold_expired_authentications"(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_expired_authentications"(integer) TO twofold_app;

