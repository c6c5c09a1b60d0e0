-- Schema v5: the community agents (issue 18). Each listener's cursor (X
-- since_id, Telegram offset, Discord "after" id), moved in the same
-- transaction as the interactions it read, so nothing is read twice or
-- skipped across a restart; what we know of each author; and the reply
-- ledger, keyed by (platform, replied-to message id) so that a reply is
-- sent at most once.
CREATE TABLE community_cursors (
  source     TEXT PRIMARY KEY,
  cursor     TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
ALTER TABLE community_users ADD COLUMN is_bot INTEGER NOT NULL DEFAULT 0;
ALTER TABLE community_users ADD COLUMN messages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE community_users ADD COLUMN replies_sent INTEGER NOT NULL DEFAULT 0;
CREATE INDEX user_interactions_channel_idx ON user_interactions (channel, ts);
CREATE TABLE community_replies (
  id              TEXT PRIMARY KEY,
  platform        TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  in_reply_to     TEXT NOT NULL,
  author_id       TEXT NOT NULL,
  intent          TEXT NOT NULL,
  state           TEXT NOT NULL,
  rule            TEXT NOT NULL DEFAULT '',
  "text"          TEXT NOT NULL DEFAULT '',
  remote_id       TEXT NOT NULL DEFAULT '',
  error           TEXT NOT NULL DEFAULT '',
  attempts        INTEGER NOT NULL DEFAULT 0,
  retry_at        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX community_replies_state_idx ON community_replies (state, created_at);
CREATE INDEX community_replies_conversation_idx ON community_replies (platform, conversation_id);
