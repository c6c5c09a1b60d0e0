-- Herald schema version 1 (sqlite): every table of the system.
-- Generated from the same table list as the other dialect; edit both together.
-- Domain times are BIGINT milliseconds since the epoch (UTC); *_at columns of
-- type timestamp record when a row was written. JSON is TEXT here.

-- Candles; times in ms since the epoch (UTC). Extras are NULL when the source lacks them.
CREATE TABLE market_data (
  symbol TEXT NOT NULL,
  "interval" TEXT NOT NULL,
  open_time INTEGER NOT NULL,
  "open" REAL NOT NULL,
  "high" REAL NOT NULL,
  "low" REAL NOT NULL,
  "close" REAL NOT NULL,
  volume REAL NOT NULL,
  close_time INTEGER NOT NULL,
  quote_volume REAL,
  trades INTEGER,
  taker_buy_base REAL,
  taker_buy_quote REAL,
  inserted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (symbol, "interval", open_time)
);

-- News items with their lexicon sentiment.
CREATE TABLE news_articles (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  url TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  symbols TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  sentiment REAL NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX news_articles_published_idx ON news_articles (published_at);

-- Sentiment aggregated per symbol, source and time.
CREATE TABLE sentiment_data (
  symbol TEXT NOT NULL,
  source TEXT NOT NULL,
  ts INTEGER NOT NULL,
  score REAL NOT NULL,
  samples INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (symbol, source, ts)
);

-- One row per analyzer per candle.
CREATE TABLE analysis_results (
  symbol TEXT NOT NULL,
  "interval" TEXT NOT NULL,
  open_time INTEGER NOT NULL,
  analyzer TEXT NOT NULL,
  score REAL NOT NULL,
  confidence REAL NOT NULL,
  payload TEXT NOT NULL,
  duration_ns INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (symbol, "interval", open_time, analyzer)
);
CREATE INDEX analysis_results_analyzer_idx ON analysis_results (analyzer, open_time);

-- Aggregated signals.
CREATE TABLE signals (
  id TEXT PRIMARY KEY,
  symbol TEXT NOT NULL,
  "interval" TEXT NOT NULL,
  open_time INTEGER NOT NULL,
  direction TEXT NOT NULL,
  score REAL NOT NULL,
  confidence REAL NOT NULL,
  payload TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX signals_created_idx ON signals (created_at_ms);
CREATE INDEX signals_symbol_idx ON signals (symbol, created_at_ms);

-- Insights that content is made from.
CREATE TABLE insights (
  id TEXT PRIMARY KEY,
  signal_id TEXT REFERENCES signals (id) ON DELETE SET NULL,
  symbol TEXT NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  importance REAL NOT NULL,
  payload TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX insights_created_idx ON insights (created_at_ms);

-- What to publish, where and when.
CREATE TABLE content_plans (
  id TEXT PRIMARY KEY,
  insight_id TEXT REFERENCES insights (id) ON DELETE SET NULL,
  kind TEXT NOT NULL,
  channel TEXT NOT NULL,
  state TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  payload TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX content_plans_state_idx ON content_plans (state, scheduled_at);

-- Content delivered to a channel, with the id the channel gave it and its metrics.
CREATE TABLE published_content (
  id TEXT NOT NULL,
  channel TEXT NOT NULL,
  plan_id TEXT REFERENCES content_plans (id) ON DELETE SET NULL,
  channel_message_id TEXT NOT NULL,
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  metrics TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (id, channel)
);
CREATE INDEX published_content_time_idx ON published_content (published_at);

-- People met on any channel.
CREATE TABLE community_users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  platform TEXT NOT NULL,
  external_id TEXT NOT NULL,
  handle TEXT NOT NULL,
  display_name TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  engagement_score REAL NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (platform, external_id)
);

-- Replies, likes, clicks, messages.
CREATE TABLE user_interactions (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES community_users (id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  kind TEXT NOT NULL,
  content_id TEXT,
  "text" TEXT NOT NULL,
  ts INTEGER NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX user_interactions_user_idx ON user_interactions (user_id, ts);

-- Paid or free subscriptions.
CREATE TABLE subscriptions (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES community_users (id) ON DELETE CASCADE,
  tier TEXT NOT NULL,
  status TEXT NOT NULL,
  provider TEXT NOT NULL,
  provider_ref TEXT,
  started_at INTEGER NOT NULL,
  expires_at INTEGER,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX subscriptions_user_idx ON subscriptions (user_id);
CREATE UNIQUE INDEX subscriptions_provider_ref_idx ON subscriptions (provider, provider_ref);

-- Offers made to engaged users and their outcome.
CREATE TABLE conversion_attempts (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES community_users (id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  offer TEXT NOT NULL,
  outcome TEXT NOT NULL,
  ts INTEGER NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX conversion_attempts_user_idx ON conversion_attempts (user_id, ts);

-- Content reserved for a subscription tier.
CREATE TABLE exclusive_content (
  id TEXT PRIMARY KEY,
  tier TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  insight_id TEXT REFERENCES insights (id) ON DELETE SET NULL,
  available_from INTEGER NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Hidden replies, bans, warnings, with who and why.
CREATE TABLE moderation_actions (
  id TEXT PRIMARY KEY,
  user_id INTEGER REFERENCES community_users (id) ON DELETE SET NULL,
  channel TEXT NOT NULL,
  action TEXT NOT NULL,
  reason TEXT NOT NULL,
  content_ref TEXT,
  moderator TEXT NOT NULL,
  ts INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX moderation_actions_ts_idx ON moderation_actions (ts);

-- Experiments over content variants.
CREATE TABLE ab_tests (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Counters per variant of an experiment.
CREATE TABLE ab_test_variants (
  test_id TEXT NOT NULL REFERENCES ab_tests (id) ON DELETE CASCADE,
  variant TEXT NOT NULL,
  content TEXT NOT NULL,
  impressions INTEGER NOT NULL DEFAULT 0,
  conversions INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (test_id, variant)
);

-- Periodic performance figures (per analyzer, channel, strategy).
CREATE TABLE performance_snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scope TEXT NOT NULL,
  "key" TEXT NOT NULL,
  ts INTEGER NOT NULL,
  metrics TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (scope, "key", ts)
);

-- Notable agent events.
CREATE TABLE agent_logs (
  id TEXT PRIMARY KEY,
  agent TEXT NOT NULL,
  level TEXT NOT NULL,
  message TEXT NOT NULL,
  payload TEXT NOT NULL,
  ts INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX agent_logs_agent_idx ON agent_logs (agent, ts);

-- Every agent of every node, as the supervisors see them.
CREATE TABLE agent_registry (
  path TEXT NOT NULL,
  node TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  restarts INTEGER NOT NULL DEFAULT 0,
  last_exit_reason TEXT,
  started_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (node, path)
);

-- Starts, stops, migrations and config changes of nodes.
CREATE TABLE deployment_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  node TEXT NOT NULL,
  version TEXT NOT NULL,
  event TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}',
  ts INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX deployment_logs_ts_idx ON deployment_logs (ts);

-- Security-relevant actions: logins, key use, permission changes.
CREATE TABLE security_audit_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}',
  ts INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX security_audit_logs_ts_idx ON security_audit_logs (ts);
