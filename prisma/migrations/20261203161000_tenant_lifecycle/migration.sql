-- Tenant lifecycle (issue 16 item 2, docs/decisions/0026). Hand-written.
-- An operator suspends a tenant (every credential its systems use is refused with 403
-- tenant_suspended, nothing is deleted), resumes it, or schedules its deletion after a grace period.
-- The billing worker deletes its personal data once the grace is over and its money is settled; the
-- tenant row stays as a tombstone, with the usage ledger and the Stripe rows finance keeps.
ALTER TABLE "tenants"
  ADD COLUMN "suspended_at" TIMESTAMPTZ(3),
  ADD COLUMN "suspension_reason" TEXT,
  ADD COLUMN "deletion_due_at" TIMESTAMPTZ(3),
  ADD COLUMN "deletion_started_at" TIMESTAMPTZ(3),
  ADD COLUMN "deleted_at" TIMESTAMPTZ(3);

-- The credential lookups return the tenant's state from the same call (no second round trip on the
-- hot path). A return type cannot change in place: drop, create, grant again.
DROP FUNCTION "twofold_find_api_key"(text);
CREATE FUNCTION "twofold_find_api_key"(p_key_hash text)
RETURNS TABLE (id uuid, tenant_id uuid, revoked_at timestamptz, tenant_suspended boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  k api_keys%ROWTYPE;
  v_suspended boolean;
BEGIN
  SELECT * INTO k FROM api_keys a WHERE a.key_hash = p_key_hash;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT t.suspended_at IS NOT NULL INTO v_suspended FROM tenants t WHERE t.id = k.tenant_id;
  -- A refused key (revoked, or its tenant suspended) is not "used".
  IF k.revoked_at IS NULL AND NOT coalesce(v_suspended, false)
     AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') THEN
    UPDATE api_keys a SET last_used_at = now()
     WHERE a.tenant_id = k.tenant_id AND a.id = k.id AND a.revoked_at IS NULL
       AND (a.last_used_at IS NULL OR a.last_used_at < now() - interval '1 minute');
  END IF;
  id := k.id;
  tenant_id := k.tenant_id;
  revoked_at := k.revoked_at;
  tenant_suspended := coalesce(v_suspended, false);
  RETURN NEXT;
END
$$;

DROP FUNCTION "twofold_find_mfa_server"(text);
CREATE FUNCTION "twofold_find_mfa_server"(p_credential_hash text)
RETURNS TABLE (id uuid, tenant_id uuid, provider_id uuid, revoked_at timestamptz, tenant_suspended boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT s.id, s.tenant_id, s.provider_id, s.revoked_at, t.suspended_at IS NOT NULL
    FROM mfa_servers s JOIN tenants t ON t.id = s.tenant_id
   WHERE s.credential_hash = p_credential_hash;
END
$$;

DROP FUNCTION "twofold_find_activation_credential"(text);
CREATE FUNCTION "twofold_find_activation_credential"(p_credential_hash text)
RETURNS TABLE (id uuid, tenant_id uuid, provider_id uuid, expires_at timestamptz,
               used_at timestamptz, revoked_at timestamptz, tenant_suspended boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.id, c.tenant_id, c.provider_id, c.expires_at, c.used_at, c.revoked_at, t.suspended_at IS NOT NULL
    FROM mfa_server_activation_credentials c JOIN tenants t ON t.id = c.tenant_id
   WHERE c.credential_hash = p_credential_hash
$$;

-- The deletion job finds the tenants whose grace is over before any tenant is known.
CREATE FUNCTION "twofold_tenants_due_for_deletion"(p_now timestamptz, p_limit integer)
RETURNS TABLE (id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT t.id FROM tenants t
   WHERE t.deletion_due_at IS NOT NULL AND t.deletion_due_at <= p_now AND t.deleted_at IS NULL
   ORDER BY t.deletion_due_at LIMIT p_limit
$$;

REVOKE ALL ON FUNCTION "twofold_find_api_key"(text), "twofold_find_mfa_server"(text),
  "twofold_find_activation_credential"(text), "twofold_tenants_due_for_deletion"(timestamptz, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_find_api_key"(text), "twofold_find_mfa_server"(text),
  "twofold_find_activation_credential"(text), "twofold_tenants_due_for_deletion"(timestamptz, integer)
  TO twofold_app;
