-- A notification about a change made with a token remembers which token
-- did it and the words that name it in the message, so the page and the
-- email can name that token only to a recipient allowed to see it (others
-- read "an API token (created by ada)").
ALTER TABLE notifications ADD COLUMN actor_token_id TEXT;
ALTER TABLE notifications ADD COLUMN actor_label TEXT NOT NULL DEFAULT '';
