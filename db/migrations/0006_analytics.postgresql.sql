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
  offset_ms    BIGINT NOT NULL,
  due_at       BIGINT NOT NULL,
  taken_at     BIGINT NOT NULL,
  status       TEXT NOT NULL,
  impressions  BIGINT,
  engagements  BIGINT NOT NULL DEFAULT 0,
  rate         DOUBLE PRECISION,
  formula      TEXT NOT NULL,
  counts       JSONB NOT NULL,
  kind         TEXT NOT NULL DEFAULT '',
  variant      TEXT NOT NULL DEFAULT '',
  symbol       TEXT NOT NULL DEFAULT '',
  hour         BIGINT NOT NULL DEFAULT 0,
  published_at BIGINT NOT NULL,
  PRIMARY KEY (post_id, channel, offset_ms)
);
CREATE INDEX post_metrics_published_idx ON post_metrics (published_at);
CREATE TABLE page_views (
  page  TEXT NOT NULL,
  hour  BIGINT NOT NULL,
  views BIGINT NOT NULL,
  PRIMARY KEY (page, hour)
);
CREATE TABLE message_reactions (
  platform   TEXT NOT NULL,
  chat_id    TEXT NOT NULL,
  message_id TEXT NOT NULL,
  total      BIGINT NOT NULL,
  counts     JSONB NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (platform, chat_id, message_id)
);
