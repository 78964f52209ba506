-- IVR flows: one editable draft per flow, immutable published versions, publish/rollback history.
CREATE TABLE flows (
  id                 TEXT PRIMARY KEY,
  name               TEXT NOT NULL,
  draft_json         TEXT NOT NULL,
  draft_updated_at   INTEGER NOT NULL,          -- ms since epoch
  draft_updated_by   TEXT NOT NULL,
  published_version  INTEGER,                   -- version calls get now; NULL = never published
  created_at         INTEGER NOT NULL
);

CREATE TABLE flow_versions (
  flow_id       TEXT NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  version       INTEGER NOT NULL,
  doc_json      TEXT NOT NULL,
  published_at  INTEGER NOT NULL,
  published_by  TEXT NOT NULL,
  comment       TEXT,
  PRIMARY KEY (flow_id, version)
);

-- Who made which version current, when (publish and rollback).
CREATE TABLE flow_history (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  flow_id   TEXT NOT NULL,
  action    TEXT NOT NULL CHECK (action IN ('create', 'publish', 'rollback', 'delete')),
  version   INTEGER,
  actor     TEXT NOT NULL,
  at        INTEGER NOT NULL,
  comment   TEXT
);
CREATE INDEX flow_history_flow ON flow_history(flow_id, id);

-- Which flow version a call ran (calls keep the version they started on).
ALTER TABLE calls ADD COLUMN flow_id TEXT;
ALTER TABLE calls ADD COLUMN flow_version INTEGER;

-- Post-call satisfaction (满意度): 1 满意, 2 基本满意, 3 不满意; NULL = no answer.
CREATE TABLE surveys (
  call_uuid  TEXT PRIMARY KEY REFERENCES calls(uuid),
  agent_id   TEXT,
  score      INTEGER CHECK (score IN (1, 2, 3)),
  node_id    TEXT NOT NULL,
  at         INTEGER NOT NULL
);
