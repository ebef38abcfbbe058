-- The lookups that run before the tenant is known, on every API request (api key, MFA server
-- credential) and every carrier callback (message SID), were LANGUAGE sql functions. A SQL
-- function with a SET clause is never inlined and is parsed and planned again on every call;
-- PL/pgSQL keeps each statement's plan for the life of the connection. Same signatures, same
-- results, same grants (CREATE OR REPLACE keeps them); the API key's last_used_at is still
-- written at most once a minute, now only after the key was read and found due.

CREATE OR REPLACE FUNCTION "twofold_find_api_key"(p_key_hash text)
RETURNS TABLE (id uuid, tenant_id uuid, revoked_at timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
  k api_keys%ROWTYPE;
BEGIN
  SELECT * INTO k FROM api_keys a WHERE a.key_hash = p_key_hash;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF k.revoked_at IS NULL AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') THEN
    UPDATE api_keys a SET last_used_at = now()
     WHERE a.tenant_id = k.tenant_id AND a.id = k.id AND a.revoked_at IS NULL
       AND (a.last_used_at IS NULL OR a.last_used_at < now() - interval '1 minute');
  END IF;
  id := k.id;
  tenant_id := k.tenant_id;
  revoked_at := k.revoked_at;
  RETURN NEXT;
END
$$;

CREATE OR REPLACE FUNCTION "twofold_find_mfa_server"(p_credential_hash text)
RETURNS TABLE (id uuid, tenant_id uuid, provider_id uuid, revoked_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT s.id, s.tenant_id, s.provider_id, s.revoked_at FROM mfa_servers s
    WHERE s.credential_hash = p_credential_hash;
END
$$;

CREATE OR REPLACE FUNCTION "twofold_find_message"(p_twilio_sid text)
RETURNS TABLE (id uuid, tenant_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT m.id, m.tenant_id FROM messages m WHERE m.twilio_sid = p_twilio_sid;
END
$$;
