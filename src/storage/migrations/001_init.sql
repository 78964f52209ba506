-- Calls (CDR), transcripts and tickets.
CREATE TABLE calls (
  uuid            TEXT PRIMARY KEY,
  caller_number   TEXT NOT NULL,
  destination     TEXT NOT NULL,
  started_at      INTEGER NOT NULL,          -- ms since epoch
  answered_at     INTEGER,
  queued_at       INTEGER,
  agent_answered_at INTEGER,
  ended_at        INTEGER,
  queue_wait_ms   INTEGER,
  menu_choice     TEXT,
  queue           TEXT,
  agent_id        TEXT,
  disposition     TEXT,                      -- agent | voicebot | abandoned | ivr | failed
  hangup_cause    TEXT,
  recording_path  TEXT
);
CREATE INDEX calls_started_at ON calls(started_at);

CREATE TABLE transcripts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  call_uuid   TEXT NOT NULL REFERENCES calls(uuid),
  seq         INTEGER NOT NULL,
  speaker     TEXT NOT NULL CHECK (speaker IN ('caller', 'agent')),
  text        TEXT NOT NULL,
  start_ms    INTEGER NOT NULL,
  end_ms      INTEGER NOT NULL,
  confidence  REAL NOT NULL,
  engine      TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (call_uuid, seq)
);

CREATE TABLE tickets (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket_number  TEXT NOT NULL UNIQUE,
  call_uuid      TEXT REFERENCES calls(uuid),
  status         TEXT NOT NULL DEFAULT 'draft',
  source         TEXT NOT NULL,             -- agent | voicebot
  contact_phone  TEXT,
  draft_json     TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);
CREATE UNIQUE INDEX tickets_call ON tickets(call_uuid);
