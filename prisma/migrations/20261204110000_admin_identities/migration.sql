-- Admin identities, roles, sessions and API key scopes (issue 18 item 1, docs/decisions/0031).
-- Hand-written. Every new table is a tenant table: tenant_id leads its primary key, RLS like the others.

-- Audit entries made by a signed-in admin name the admin.
ALTER TYPE "actor_type" ADD VALUE IF NOT EXISTS 'admin';

-- API key scopes, drawn from the permission names of libs/tenancy/domain/src/admin-roles.ts. Keys that
-- existed before scopes get every permission, so nothing that worked stops working.
-- The default (every permission) is what keys created before scopes get, and what a row inserted
-- without scopes (fixtures, the operator's tools) holds; the API always names the scopes it grants.
ALTER TABLE "api_keys" ADD COLUMN "scopes" TEXT[] NOT NULL DEFAULT ARRAY[
  'authentications:write', 'users:read', 'users:write', 'users:unlock', 'users:erase', 'tokens:read',
  'tokens:write', 'licenses:read', 'licenses:write', 'providers:read', 'providers:write', 'settings:read',
  'settings:write', 'keys:read', 'keys:write', 'admins:read', 'admins:write', 'audit:read', 'reports:read',
  'billing:read', 'billing:write'
]::text[];

CREATE TYPE "admin_role" AS ENUM ('owner', 'admin', 'helpdesk', 'billing', 'auditor');

-- An admin of one tenant. The e-mail is stored lower-cased; it is unique within the tenant.
CREATE TABLE "admins" (
  "tenant_id" UUID NOT NULL,
  "id" UUID NOT NULL,
  "email" TEXT NOT NULL,
  "role" "admin_role" NOT NULL,
  -- scrypt$N$r$p$salt$hash (the app-password format); the password itself is never stored.
  "password_hash" TEXT NOT NULL,
  -- The TOTP seed sealed with SecretBox (AAD adminTotpAad(tenant, admin), @twofold/secrets/contracts).
  "totp_seed_ciphertext" BYTEA NOT NULL,
  -- The SecretBox key that sealed the seed.
  "key_id" TEXT NOT NULL,
  -- The last TOTP step accepted: it and every earlier step are refused (RFC 6238 §5.2).
  "totp_last_step" BIGINT,
  -- Set by the first sign-in with a valid code: until then the second factor is not enrolled.
  "totp_enrolled_at" TIMESTAMPTZ(3),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "admins_pkey" PRIMARY KEY ("tenant_id", "id"),
  CONSTRAINT "admins_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "admins_tenant_id_email_key" ON "admins"("tenant_id", "email");
-- Sign-in finds an admin by e-mail before the tenant is known (twofold_find_admin_for_sign_in).
CREATE INDEX "admins_email_idx" ON "admins"("email", "tenant_id");

-- A one-time invitation: only the token's SHA-256 is kept; single use, expiring.
CREATE TABLE "admin_invitations" (
  "tenant_id" UUID NOT NULL,
  "id" UUID NOT NULL,
  "email" TEXT NOT NULL,
  "role" "admin_role" NOT NULL,
  "token_hash" TEXT NOT NULL,
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  "accepted_at" TIMESTAMPTZ(3),
  "revoked_at" TIMESTAMPTZ(3),
  "admin_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "admin_invitations_pkey" PRIMARY KEY ("tenant_id", "id"),
  CONSTRAINT "admin_invitations_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "admin_invitations_token_hash_key" ON "admin_invitations"("token_hash");
CREATE INDEX "admin_invitations_listing_idx" ON "admin_invitations"("tenant_id", "created_at", "id");

-- A signed-in admin's session: only the cookie token's SHA-256 is kept.
CREATE TABLE "admin_sessions" (
  "tenant_id" UUID NOT NULL,
  "id" UUID NOT NULL,
  "admin_id" UUID NOT NULL,
  "token_hash" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL,
  "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
  -- The absolute timeout: the session ends then, however active.
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  "revoked_at" TIMESTAMPTZ(3),
  "ip_address" TEXT,
  "user_agent" TEXT,
  CONSTRAINT "admin_sessions_pkey" PRIMARY KEY ("tenant_id", "id"),
  CONSTRAINT "admin_sessions_admin_fkey" FOREIGN KEY ("tenant_id", "admin_id") REFERENCES "admins"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "admin_sessions_token_hash_key" ON "admin_sessions"("token_hash");
CREATE INDEX "admin_sessions_admin_idx" ON "admin_sessions"("admin_id", "tenant_id", "created_at");

ALTER TABLE "admins" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "admins" FOR ALL TO twofold_app
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "admin_invitations" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "admin_invitations" FOR ALL TO twofold_app
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
ALTER TABLE "admin_sessions" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "tenant_isolation" ON "admin_sessions" FOR ALL TO twofold_app
  USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

-- Scopes are permission names: anything else is refused (no CHECK constraints, decision 0003).
CREATE FUNCTION "twofold_api_keys_scopes_check"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(NEW.scopes) s WHERE s !~ '^[a-z]+:[a-z]+$') THEN
    RAISE EXCEPTION 'api_key_scope_invalid' USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER "api_keys_scopes_check" BEFORE INSERT OR UPDATE OF "scopes" ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION "twofold_api_keys_scopes_check"();

-- The key lookup returns the key's scopes from the same call (no second round trip).
DROP FUNCTION "twofold_find_api_key"(text);
CREATE FUNCTION "twofold_find_api_key"(p_key_hash text)
RETURNS TABLE (id uuid, tenant_id uuid, revoked_at timestamptz, tenant_suspended boolean, scopes text[])
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
  scopes := k.scopes;
  RETURN NEXT;
END
$$;

-- Sign-in: the admins with this e-mail, before any tenant is known (optionally of one tenant).
CREATE FUNCTION "twofold_find_admin_for_sign_in"(p_email text, p_tenant_id uuid)
RETURNS TABLE (id uuid, tenant_id uuid, tenant_suspended boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT a.id, a.tenant_id, t.suspended_at IS NOT NULL
    FROM admins a JOIN tenants t ON t.id = a.tenant_id
   WHERE a.email = p_email AND (p_tenant_id IS NULL OR a.tenant_id = p_tenant_id)
   ORDER BY a.tenant_id
   LIMIT 2
$$;

-- Accepting an invitation: the invitation a token names, before any tenant is known.
CREATE FUNCTION "twofold_find_admin_invitation"(p_token_hash text)
RETURNS TABLE (id uuid, tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT i.id, i.tenant_id FROM admin_invitations i WHERE i.token_hash = p_token_hash
$$;

-- Every request with a session cookie: the session, its admin's role and the tenant's state. A live
-- session (not revoked, within its absolute and idle timeouts at p_now) has its last_seen_at moved to
-- p_now, at most once a minute; a dead one is returned as it is, so the caller can say why.
CREATE FUNCTION "twofold_touch_admin_session"(p_token_hash text, p_now timestamptz, p_idle interval)
RETURNS TABLE (id uuid, tenant_id uuid, admin_id uuid, role admin_role, live boolean, tenant_suspended boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  s admin_sessions%ROWTYPE;
BEGIN
  SELECT * INTO s FROM admin_sessions x WHERE x.token_hash = p_token_hash;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  id := s.id;
  tenant_id := s.tenant_id;
  admin_id := s.admin_id;
  SELECT a.role INTO role FROM admins a WHERE a.tenant_id = s.tenant_id AND a.id = s.admin_id;
  SELECT t.suspended_at IS NOT NULL INTO tenant_suspended FROM tenants t WHERE t.id = s.tenant_id;
  live := s.revoked_at IS NULL AND p_now < s.expires_at AND p_now < s.last_seen_at + p_idle AND role IS NOT NULL;
  IF live AND s.last_seen_at < p_now - interval '1 minute' THEN
    UPDATE admin_sessions x SET last_seen_at = p_now WHERE x.tenant_id = s.tenant_id AND x.id = s.id;
  END IF;
  RETURN NEXT;
END
$$;

REVOKE ALL ON FUNCTION "twofold_find_api_key"(text), "twofold_find_admin_for_sign_in"(text, uuid),
  "twofold_find_admin_invitation"(text), "twofold_touch_admin_session"(text, timestamptz, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_find_api_key"(text), "twofold_find_admin_for_sign_in"(text, uuid),
  "twofold_find_admin_invitation"(text), "twofold_touch_admin_session"(text, timestamptz, interval) TO twofold_app;
