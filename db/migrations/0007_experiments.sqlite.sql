-- Schema v7: the A/B-testing agent (issue 19). ab_tests.metadata holds the
-- experiment's definition (JSON); `updates` counts reweights and `lost` the
-- units whose outcome never came. Per arm, ab_test_variants keeps the
-- posterior's counts (impressions = exposures with an outcome, conversions =
-- successes), the current allocation weight, the traffic the arm was
-- expected to get over the settled units (for the sample-ratio check) and
-- its position in the definition. One row per unit (a piece on a channel)
-- and experiment records the arm it got, once, with the weights it was
-- assigned under, and how it settled.
ALTER TABLE ab_tests ADD COLUMN updates INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ab_tests ADD COLUMN lost INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ab_test_variants ADD COLUMN weight REAL NOT NULL DEFAULT 0;
ALTER TABLE ab_test_variants ADD COLUMN expected REAL NOT NULL DEFAULT 0;
ALTER TABLE ab_test_variants ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
CREATE TABLE ab_assignments (
  test_id     TEXT NOT NULL REFERENCES ab_tests (id) ON DELETE CASCADE,
  unit        TEXT NOT NULL,
  arm         TEXT NOT NULL,
  weights     TEXT NOT NULL,
  assigned_at INTEGER NOT NULL,
  state       TEXT NOT NULL DEFAULT 'open',
  settled_at  INTEGER,
  PRIMARY KEY (test_id, unit)
);
CREATE INDEX ab_assignments_state_idx ON ab_assignments (test_id, state, assigned_at);
