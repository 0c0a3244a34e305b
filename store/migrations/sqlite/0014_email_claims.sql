-- A notification being emailed is claimed until email_claimed_until, so that
-- of processes sharing the database (replicas) one sends it, once, even if
-- their mail passes overlap. A claim that runs out (its process died
-- mid-send) frees the notification for another try.
ALTER TABLE notifications ADD COLUMN email_claimed_until TEXT;
