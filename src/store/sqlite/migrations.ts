/**
 * Versioned schema migrations for the SQLite backend. Each entry runs once, in order, inside a
 * transaction; `meta.schema_version` records the last one applied. Never edit a shipped
 * migration: add a new one.
 */
export const MIGRATIONS: readonly { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'events, dedupe hash, tasks join, hourly rollups, sessions, checkpoints',
    sql: `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
-- Identifies this database, so that index snapshots beside it are never applied to another.
INSERT OR IGNORE INTO meta (key, value) VALUES ('store_tag', CAST(abs(random() % 9007199254740991) AS TEXT));

-- Where events came from: (adapter, file) pairs, referenced by events.source_id.
CREATE TABLE sources (
  source_id INTEGER PRIMARY KEY,
  adapter TEXT NOT NULL,
  file TEXT NOT NULL,
  UNIQUE (adapter, file)
);

-- Events in commit order. seq is assigned by the writer from meta.next_seq (never reused).
-- Dedupe is on id_hash (53-bit hash of id) through an in-memory open-addressing index that
-- every writer catches up from this table inside its write transaction; the full id is
-- compared on every hash hit, so a collision costs a probe, never an event. Only time-local
-- indexes are kept (ts, and kind for the rare kinds): task and session queries scan the
-- time window their span gives (tasks.span_*, sessions.first_ts/last_ts).
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  id_hash INTEGER NOT NULL,
  type TEXT NOT NULL,
  kind TEXT NOT NULL,
  ts INTEGER NOT NULL,
  session_id TEXT,
  task_id TEXT,
  phase TEXT,
  agent_role TEXT,
  model TEXT,
  status TEXT,
  duration_ms REAL,
  tokens_in INTEGER,
  tokens_out INTEGER,
  tokens_cache_read INTEGER,
  tokens_cache_write INTEGER,
  cost_usd REAL,
  message TEXT,
  source_id INTEGER NOT NULL,
  source_line INTEGER,
  source_offset INTEGER,
  attrs TEXT
);
CREATE INDEX events_ts ON events (ts);
-- The bulk kinds (task, llm_call) are left out so that this index stays cheap to maintain;
-- queries for the other kinds add the same condition so SQLite can use it.
CREATE INDEX events_rare_kind ON events (kind, ts) WHERE kind NOT IN ('task', 'llm_call');
-- Events with their source spelled out, for reading.
CREATE VIEW events_v AS
  SELECT e.*, s.adapter AS source_adapter, nullif(s.file, '') AS source_file
  FROM events e JOIN sources s ON s.source_id = e.source_id;

-- The task join: one row per task id, folded from its task-kind events. Rows are appended
-- (rowid from meta.next_task_rowid) and found through an in-memory hash index, like events.
CREATE TABLE tasks (
  rowid_ INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL,
  key_hash INTEGER NOT NULL,
  model TEXT,
  session_id TEXT,
  started_ts INTEGER,
  ended_ts INTEGER,
  status TEXT,
  attempts INTEGER NOT NULL,
  duration_ms REAL,
  tokens_in INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL,
  tokens_cache_read INTEGER NOT NULL,
  tokens_cache_write INTEGER NOT NULL,
  cost_usd REAL,
  first_ts INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  bucket_ts INTEGER NOT NULL,
  -- Earliest and latest ts of every event carrying this task id (any kind): queries by task
  -- scan this window of events_ts instead of maintaining a random-key task index.
  span_first_ts INTEGER NOT NULL,
  span_last_ts INTEGER NOT NULL
);
CREATE INDEX tasks_bucket ON tasks (bucket_ts);

-- Additive per-hour, per-model counters (tasks by their bucket hour, plus non-task usage).
CREATE TABLE rollup_hourly (
  hour INTEGER NOT NULL,
  model TEXT NOT NULL,
  tasks INTEGER NOT NULL DEFAULT 0,
  ended INTEGER NOT NULL DEFAULT 0,
  success INTEGER NOT NULL DEFAULT 0,
  failure INTEGER NOT NULL DEFAULT 0,
  timeout INTEGER NOT NULL DEFAULT 0,
  incomplete INTEGER NOT NULL DEFAULT 0,
  duration_sum_ms REAL NOT NULL DEFAULT 0,
  duration_count INTEGER NOT NULL DEFAULT 0,
  tokens_in INTEGER NOT NULL DEFAULT 0,
  tokens_out INTEGER NOT NULL DEFAULT 0,
  tokens_cache_read INTEGER NOT NULL DEFAULT 0,
  tokens_cache_write INTEGER NOT NULL DEFAULT 0,
  cost_reported_usd REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, model)
) WITHOUT ROWID;

CREATE TABLE sessions (
  session_id TEXT PRIMARY KEY,
  first_ts INTEGER NOT NULL,
  last_ts INTEGER NOT NULL,
  event_count INTEGER NOT NULL,
  status TEXT,
  status_ts INTEGER,
  tokens_in INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_first ON sessions (first_ts);

CREATE TABLE session_facets (
  session_id TEXT NOT NULL,
  facet TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (session_id, facet, value)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
  path TEXT PRIMARY KEY,
  adapter TEXT NOT NULL,
  dev INTEGER NOT NULL,
  ino INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  size INTEGER NOT NULL,
  head_digest TEXT NOT NULL,
  head_length INTEGER NOT NULL,
  lines INTEGER NOT NULL,
  content_digest TEXT,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX checkpoints_inode ON checkpoints (dev, ino);
`,
  },
  {
    version: 2,
    description: 'interned attribute sets',
    sql: `
-- Attribute sets that repeat (the same agent, repo and branch on every line of a file) are
-- stored once and referenced by events.attrs_id; events.attrs holds the others inline. An
-- event has at most one of the two. Sets no event references are deleted by prune and
-- sanitize, which then bump meta.attrs_epoch so that writers forget the ids they hold.
CREATE TABLE attrs_sets (
  attrs_id INTEGER PRIMARY KEY,
  attrs TEXT NOT NULL UNIQUE
);
ALTER TABLE events ADD COLUMN attrs_id INTEGER;
-- Events with their attributes resolved, for reading.
CREATE VIEW events_a AS
  SELECT seq, id, id_hash, type, kind, ts, session_id, task_id, phase, agent_role, model, status,
    duration_ms, tokens_in, tokens_out, tokens_cache_read, tokens_cache_write, cost_usd, message,
    source_id, source_line, source_offset,
    coalesce(attrs, (SELECT a.attrs FROM attrs_sets a WHERE a.attrs_id = events.attrs_id)) AS attrs
  FROM events;
DROP VIEW events_v;
CREATE VIEW events_v AS
  SELECT e.*, s.adapter AS source_adapter, nullif(s.file, '') AS source_file
  FROM events_a e JOIN sources s ON s.source_id = e.source_id;
`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
