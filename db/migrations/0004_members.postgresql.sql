-- Schema v4: the cluster's members (issue 16). One row per node name: the
-- incarnation that holds the name now (a restarted node is a new one), its
-- roles, the address its peers dial, its version, when it started and when
-- it last renewed (the database's clock, ms since the epoch), and whether it
-- is up or left in order. A node whose renewal is older than the lease TTL
-- is down, whatever its status says.
CREATE TABLE cluster_members (
  name        TEXT PRIMARY KEY,
  incarnation TEXT NOT NULL,
  roles       TEXT NOT NULL,
  address     TEXT NOT NULL,
  version     TEXT NOT NULL,
  started_at  BIGINT NOT NULL,
  renewed_at  BIGINT NOT NULL,
  status      TEXT NOT NULL
);
