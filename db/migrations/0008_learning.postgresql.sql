-- Schema v8: the feedback loops (issue 19). Every weight set the tuning
-- loop proposed or applied, versioned: the configured one is version 0 and
-- needs no row. `state` is proposed (passed the gate, waiting for an
-- operator or auto-apply), refused (did not beat the current weights on the
-- newest outcomes), applied (current from `effective_from`: the open time
-- of the first candle it aggregates), superseded, or expired. A rollback is
-- a new version that copies an older one. Every run of a loop (A/B update,
-- tuning, expiry) is one row with its inputs' ids and its result, so that a
-- run can be replayed.
CREATE TABLE weight_sets (
  version        BIGINT PRIMARY KEY,
  weights        TEXT NOT NULL,
  threshold      DOUBLE PRECISION NOT NULL,
  source         TEXT NOT NULL,
  parent         BIGINT NOT NULL,
  state          TEXT NOT NULL,
  evidence       TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  effective_from BIGINT,
  applied_at     BIGINT
);
CREATE INDEX weight_sets_state_idx ON weight_sets (state, version);
CREATE TABLE learning_runs (
  id           TEXT PRIMARY KEY,
  loop         TEXT NOT NULL,
  scheduled_at BIGINT NOT NULL,
  started_at   BIGINT NOT NULL,
  finished_at  BIGINT NOT NULL,
  status       TEXT NOT NULL,
  inputs       TEXT NOT NULL,
  result       TEXT NOT NULL
);
CREATE INDEX learning_runs_loop_idx ON learning_runs (loop, scheduled_at);
