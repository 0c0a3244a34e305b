-- The acting token of a notification (the PostgreSQL form of SQLite's 0007,
-- filling in notifications made before it the same way).
ALTER TABLE notifications ADD COLUMN actor_token_id TEXT;
ALTER TABLE notifications ADD COLUMN actor_label TEXT NOT NULL DEFAULT '';

UPDATE notifications SET (actor_token_id, actor_label) = (
	SELECT e.actor_token_id, e.actor_label FROM audit_events e
	WHERE e.target_type = 'token' AND e.target_id = notifications.token_id AND e.at = notifications.created_at
	AND e.actor_token_id IS NOT NULL AND e.actor_label <> '' AND strpos(notifications.message, e.actor_label) > 0
	ORDER BY e.id DESC LIMIT 1)
WHERE kind IN ('revoked', 'disabled', 'rotated') AND EXISTS (
	SELECT 1 FROM audit_events e
	WHERE e.target_type = 'token' AND e.target_id = notifications.token_id AND e.at = notifications.created_at
	AND e.actor_token_id IS NOT NULL AND e.actor_label <> '' AND strpos(notifications.message, e.actor_label) > 0);
