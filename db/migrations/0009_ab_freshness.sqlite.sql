-- Schema v9: when an experiment's allocation weights were last computed
-- (unix ms; 0 = before this column existed, or never). Weights older than
-- learning.ab.max-age are not used: the A/B agent allocates with the
-- starting weights until outcomes come again.
ALTER TABLE ab_tests ADD COLUMN reweighted_at INTEGER NOT NULL DEFAULT 0;
