-- Schema v3: the cluster's authority (issue 16). Leases with fencing epochs
-- (coordinator, publisher) and the owner of every analysis series. Times are
-- the database's clock in ms since the epoch.
CREATE TABLE cluster_leases (
  name       TEXT PRIMARY KEY,
  holder     TEXT NOT NULL,
  epoch      BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE series_assignments (
  series   TEXT PRIMARY KEY,
  owner    TEXT NOT NULL,
  epoch    BIGINT NOT NULL,
  moved_at BIGINT NOT NULL
);
