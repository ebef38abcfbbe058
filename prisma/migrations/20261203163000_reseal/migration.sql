-- Issue 16 item 6: re-sealing secrets after a key rotation (docs/operations.md, "Rotate secrets").
-- The reseal command walks every row sealed with a key other than the active one, across tenants,
-- in primary-key order (keyset pages on (tenant_id, id): each page is an index range, however far
-- the walk has gone), and re-seals each page inside that tenant's own transaction (RLS applies).
-- These functions only name the rows; they never return ciphertexts.

CREATE FUNCTION "twofold_devices_to_reseal"(p_active_key text, p_after_tenant uuid, p_after_id uuid, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT d.tenant_id, d.id FROM device_activations d
   WHERE (d.tenant_id, d.id) > (p_after_tenant, p_after_id) AND d.key_id <> p_active_key
   ORDER BY d.tenant_id, d.id
   LIMIT p_limit;
END
$$;

CREATE FUNCTION "twofold_oath_tokens_to_reseal"(p_active_key text, p_after_tenant uuid, p_after_id uuid, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT o.tenant_id, o.id FROM oath_tokens o
   WHERE (o.tenant_id, o.id) > (p_after_tenant, p_after_id) AND o.key_id <> p_active_key
   ORDER BY o.tenant_id, o.id
   LIMIT p_limit;
END
$$;

-- Queued codes (the delivery outbox, decision 0019) live minutes; they are re-sealed too, so the old
-- key can go as soon as the command reports nothing left.
CREATE FUNCTION "twofold_messages_to_reseal"(p_active_key text, p_after_tenant uuid, p_after_id uuid, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
  RETURN QUERY SELECT m.tenant_id, m.id FROM messages m
   WHERE (m.tenant_id, m.id) > (p_after_tenant, p_after_id)
     AND m.code_ciphertext IS NOT NULL AND m.code_key_id <> p_active_key
   ORDER BY m.tenant_id, m.id
   LIMIT p_limit;
END
$$;

-- How many rows each key still seals, for one kind: a key may leave SECRETS_KEYS when none names it.
CREATE FUNCTION "twofold_sealed_key_counts"(p_kind text)
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
  ELSE
    RAISE EXCEPTION 'unknown sealed kind %', p_kind USING ERRCODE = '22023';
  END IF;
END
$$;

REVOKE ALL ON FUNCTION "twofold_devices_to_reseal"(text, uuid, uuid, integer),
  "twofold_oath_tokens_to_reseal"(text, uuid, uuid, integer),
  "twofold_messages_to_reseal"(text, uuid, uuid, integer),
  "twofold_sealed_key_counts"(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "twofold_devices_to_reseal"(text, uuid, uuid, integer),
  "twofold_oath_tokens_to_reseal"(text, uuid, uuid, integer),
  "twofold_messages_to_reseal"(text, uuid, uuid, integer),
  "twofold_sealed_key_counts"(text) TO twofold_app;
