-- Schema v2: a restarted risk agent replays the stored signals in time order.
CREATE INDEX signals_open_time_idx ON signals (open_time);
