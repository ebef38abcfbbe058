-- The reseal command (issue 16 item 6) also re-seals tenant admins' TOTP seeds (issue 18,
-- docs/decisions/0031): without this an old SecretBox key could leave SECRETS_KEYS while admins'
-- seeds were still sealed with it, and those admins could no longer sign in.
CREATE FUNCTION "twofold_admins_to_reseal"(p_active_key text, p_after_tenant uuid, p_after_id uuid, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT a.tenant_id, a.id FROM admins a
   WHERE (a.tenant_id, a.id) > (p_after_tenant, p_after_id) AND a.key_id <> p_active_key
   ORDER BY a.tenant_id, a.id
   LIMIT p_limit;
END
$$;

CREATE OR REPLACE FUNCTION "twofold_sealed_key_counts"(p_kind text)
RETURNS TABLE (key_id text, rows bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF p_kind = 'device' THEN
    RETURN QUERY SELECT d.key_id, count(*) FROM device_activations d GROUP BY d.key_id ORDER BY 1;
  ELSIF p_kind = 'oath_token' THEN
    RETURN QUERY SELECT o.key_id, count(*) FROM oath_tokens o GROUP BY o.key_id ORDER BY 1;
  ELSIF p_kind = 'message_code' THEN
    RETURN QUERY SELECT m.code_key_id, count(*) FROM messages m
      WHERE m.code_ciphertext IS NOT NULL GROUP BY m.code_key_id ORDER BY 1;
  ELSIF p_kind = 'admin_totp' THEN
    RETURN QUERY SELECT a.key_id, count(*) FROM admins a GROUP BY a.key_id ORDER BY 1;
  ELSE
    RAISE EXCEPTION 'unknown sealed kind %', p_kind USING ERRCODE = '22023';
  END IF;
END
$$;

REVOKE ALL ON FUNCTION "twofold_admins_to_reseal"(text, uuid, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_admins_to_reseal"(text, uuid, uuid, integer) TO twofold_app;
