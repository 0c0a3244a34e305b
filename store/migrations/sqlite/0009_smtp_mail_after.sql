-- Email is for what happens once it is set up: notifications made before
-- the mail settings were first saved stay in the app. mail_after is the
-- largest notification id when the settings row was created; only later
-- notifications are emailed. NULL (settings saved before this column
-- existed) keeps the earlier behaviour.
ALTER TABLE smtp_settings ADD COLUMN mail_after INTEGER;
