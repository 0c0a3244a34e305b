-- A notification about a change made with a token remembers which token
-- did it and the words that name it in the message, so the page and the
-- email can name that token only to a recipient allowed to see it (others
-- read "an API token (created by ada)").
ALTER TABLE notifications ADD COLUMN actor_token_id TEXT;
ALTER TABLE notifications ADD COLUMN actor_label TEXT NOT NULL DEFAULT '';

-- Notifications made before this migration named the acting token in
-- their text alone. The audit event recorded with each (same token, same
-- time, the same label in the text) says which token it was.
UPDATE notifications SET (actor_token_id, actor_label) = (
	SELECT e.actor_token_id, e.actor_label FROM audit_events e
	WHERE e.target_type = 'token' AND e.target_id = notifications.token_id AND e.at = notifications.created_at
	AND e.actor_token_id IS NOT NULL AND e.actor_label <> '' AND instr(notifications.message, e.actor_label) > 0
	ORDER BY e.id DESC LIMIT 1)
WHERE kind IN ('revoked', 'disabled', 'rotated') AND EXISTS (
	SELECT 1 FROM audit_events e
	WHERE e.target_type = 'token' AND e.target_id = notifications.token_id AND e.at = notifications.created_at
	AND e.actor_token_id IS NOT NULL AND e.actor_label <> '' AND instr(notifications.message, e.actor_label) > 0);
