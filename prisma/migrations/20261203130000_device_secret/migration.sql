-- Issue 15 item 10 (docs/decisions/0020): the push token of a device is an address, not a
-- credential. An app-notification answer must carry the device's secret, issued once at activation
-- and stored sealed (AES-256-GCM under the same key as the TOTP seed, key_id; AAD
-- device-secret:<tenant>:<user>:<device>). Activations made before have none: they answer push
-- notifications again once the app is re-activated (R18). Hand-written.
ALTER TABLE "device_activations" ADD COLUMN "secret_ciphertext" BYTEA;
