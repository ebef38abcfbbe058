-- Tenant settings cache invalidation (issue 17 "fewer reads at start", docs/decisions/0029). Hand-written.
-- Each auth-provider process keeps the per-tenant part of an authentication's start context (tier,
-- data region, method policy, app passwords allowed, delivery countries, velocity cap, routed
-- countries, provider resolution, MFA server) for TENANT_SETTINGS_CACHE_MS. A trigger on every table
-- it reads announces each change on the channel `twofold_tenant_settings` with the tenant's id as the
-- payload ('*' for the platform-wide sender tables), so no write path (admin API, billing worker,
-- operator SQL) can forget to. NOTIFY is delivered at COMMIT, once per distinct payload per
-- transaction, and never for a transaction that rolls back. Every process LISTENs and drops the entry.
CREATE FUNCTION "twofold_notify_tenant_settings"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_old jsonb;
  v_new jsonb;
  v_tenant text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- Bookkeeping columns the start context does not read: an update of only these is no change
    -- (mfa_servers.last_seen_at is written by credential lookups, at most once a minute).
    v_old := to_jsonb(OLD) - 'updated_at' - 'last_seen_at';
    v_new := to_jsonb(NEW) - 'updated_at' - 'last_seen_at';
    IF v_old = v_new THEN
      RETURN NULL;
    END IF;
  END IF;
  IF TG_TABLE_NAME IN ('short_codes', 'sender_routes') THEN
    v_tenant := '*';
  ELSIF TG_TABLE_NAME = 'tenants' THEN
    v_tenant := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
  ELSE
    v_tenant := CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
  END IF;
  PERFORM pg_notify('twofold_tenant_settings', v_tenant);
  -- An UPDATE that moves a row to another tenant (none does today) must tell both.
  -- (Nested: an expression naming tenant_id cannot even be parsed for the tables without one.)
  IF TG_OP = 'UPDATE' AND v_tenant <> '*' AND TG_TABLE_NAME <> 'tenants' THEN
    IF OLD.tenant_id IS DISTINCT FROM NEW.tenant_id THEN
      PERFORM pg_notify('twofold_tenant_settings', OLD.tenant_id::text);
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "tenants_notify_settings" AFTER INSERT OR UPDATE OR DELETE ON "tenants"
  FOR EACH ROW EXECUTE FUNCTION "twofold_notify_tenant_settings"();
CREATE TRIGGER "tenant_method_policies_notify_settings" AFTER INSERT OR UPDATE OR DELETE ON "tenant_method_policies"
  FOR EACH ROW EXECUTE FUNCTION "twofold_notify_tenant_settings"();
CREATE TRIGGER "providers_notify_settings" AFTER INSERT OR UPDATE OR DELETE ON "providers"
  FOR EACH ROW EXECUTE FUNCTION "twofold_notify_tenant_settings"();
CREATE TRIGGER "mfa_servers_notify_settings" AFTER INSERT OR UPDATE OR DELETE ON "mfa_servers"
  FOR EACH ROW EXECUTE FUNCTION "twofold_notify_tenant_settings"();
CREATE TRIGGER "short_codes_notify_settings" AFTER INSERT OR UPDATE OR DELETE ON "short_codes"
  FOR EACH ROW EXECUTE FUNCTION "twofold_notify_tenant_settings"();
CREATE TRIGGER "sender_routes_notify_settings" AFTER INSERT OR UPDATE OR DELETE ON "sender_routes"
  FOR EACH ROW EXECUTE FUNCTION "twofold_notify_tenant_settings"();
