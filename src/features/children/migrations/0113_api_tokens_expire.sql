-- Every API token expires. Tokens made before expiry could be chosen (migration 0110's session) had
-- none: they now expire a year after they were made, or in 30 days if that year has passed, so a
-- partner system has notice to ask for a new token. From here on a token without an expiry cannot
-- be stored.
UPDATE api_tokens SET expires_at = greatest(created_at + interval '365 days', now() + interval '30 days')
WHERE expires_at IS NULL;
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
