-- Schema v6: the analytics agent (issue 18). One row per published piece
-- and snapshot offset (+1 h, +24 h, +7 d by default), written once: the raw
-- counts the platform gave, the engagements and impressions derived from
-- them, the rate and the formula that computed it, and the attributes the
-- reports group by (content type, template variant, symbol, posting hour).
-- Page views of the articles site, counted by the server that serves it,
-- per page and hour; Telegram reaction counts as the bot sees them
-- (message_reaction_count updates), per message.
CREATE TABLE post_metrics (
  post_id      TEXT NOT NULL,
  channel      TEXT NOT NULL,
  offset_ms    INTEGER NOT NULL,
  due_at       INTEGER NOT NULL,
  taken_at     INTEGER NOT NULL,
  status       TEXT NOT NULL,
  impressions  INTEGER,
  engagements  INTEGER NOT NULL DEFAULT 0,
  rate         REAL,
  formula      TEXT NOT NULL,
  counts       TEXT NOT NULL,
  kind         TEXT NOT NULL DEFAULT '',
  variant      TEXT NOT NULL DEFAULT '',
  symbol       TEXT NOT NULL DEFAULT '',
  hour         INTEGER NOT NULL DEFAULT 0,
  published_at INTEGER NOT NULL,
  PRIMARY KEY (post_id, channel, offset_ms)
);
CREATE INDEX post_metrics_published_idx ON post_metrics (published_at);
CREATE TABLE page_views (
  page  TEXT NOT NULL,
  hour  INTEGER NOT NULL,
  views INTEGER NOT NULL,
  PRIMARY KEY (page, hour)
);
CREATE TABLE message_reactions (
  platform   TEXT NOT NULL,
  chat_id    TEXT NOT NULL,
  message_id TEXT NOT NULL,
  total      INTEGER NOT NULL,
  counts     TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (platform, chat_id, message_id)
);
