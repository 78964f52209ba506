import type { Db } from './database.js';

/** CDR fields as stored. Times in ms since the epoch. */
export interface CallRecord {
  uuid: string;
  callerNumber: string;
  destination: string;
  startedAt: number;
  answeredAt: number | null;
  queuedAt: number | null;
  agentAnsweredAt: number | null;
  endedAt: number | null;
  queueWaitMs: number | null;
  menuChoice: string | null;
  queue: string | null;
  agentId: string | null;
  disposition: string | null;
  hangupCause: string | null;
  recordingPath: string | null;
  flowId: string | null;
  flowVersion: number | null;
}

/** A satisfaction survey answer. `score` null = the caller gave none. */
export interface SurveyRecord {
  callUuid: string;
  agentId: string | null;
  score: 1 | 2 | 3 | null;
  nodeId: string;
  at: number;
}

export interface TranscriptRecord {
  callUuid: string;
  seq: number;
  speaker: 'caller' | 'agent';
  text: string;
  startMs: number;
  endMs: number;
  confidence: number;
  engine: string;
}

export interface TicketRecord {
  ticketNumber: string;
  callUuid: string | null;
  status: string;
  source: 'agent' | 'voicebot';
  contactPhone: string | null;
  draft: unknown;
  createdAt: number;
  updatedAt: number;
}

const CALL_COLUMNS: Record<keyof CallRecord, string> = {
  uuid: 'uuid', callerNumber: 'caller_number', destination: 'destination', startedAt: 'started_at',
  answeredAt: 'answered_at', queuedAt: 'queued_at', agentAnsweredAt: 'agent_answered_at', endedAt: 'ended_at',
  queueWaitMs: 'queue_wait_ms', menuChoice: 'menu_choice', queue: 'queue', agentId: 'agent_id',
  disposition: 'disposition', hangupCause: 'hangup_cause', recordingPath: 'recording_path',
  flowId: 'flow_id', flowVersion: 'flow_version',
};

/** SQLite repositories for calls, transcripts and tickets (synchronous; statements prepared once). */
export class Repositories {
  readonly #insertCall;
  readonly #insertTranscript;
  readonly #upsertTicket;

  constructor(private readonly db: Db) {
    this.#insertCall = db.prepare('INSERT OR IGNORE INTO calls (uuid, caller_number, destination, started_at) VALUES (?, ?, ?, ?)');
    this.#insertTranscript = db.prepare(`INSERT INTO transcripts (call_uuid, seq, speaker, text, start_ms, end_ms, confidence, engine, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#upsertTicket = db.prepare(`INSERT INTO tickets (ticket_number, call_uuid, status, source, contact_phone, draft_json, created_at, updated_at)
      VALUES (@ticketNumber, @callUuid, @status, @source, @contactPhone, @draftJson, @now, @now)
      ON CONFLICT(call_uuid) DO UPDATE SET contact_phone = excluded.contact_phone, draft_json = excluded.draft_json,
        source = excluded.source, updated_at = excluded.updated_at`);
  }

  /** Create the CDR row of a call (idempotent: a resynced call keeps its row). */
  createCall(uuid: string, callerNumber: string, destination: string, startedAt: number): void {
    this.#insertCall.run(uuid, callerNumber, destination, startedAt);
  }

  /** Update CDR fields of a call. Unknown uuids are ignored. */
  updateCall(uuid: string, fields: Partial<Omit<CallRecord, 'uuid'>>): void {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined) as Array<[keyof CallRecord, unknown]>;
    if (entries.length === 0) return;
    const sets = entries.map(([k]) => `${CALL_COLUMNS[k]} = ?`).join(', ');
    this.db.prepare(`UPDATE calls SET ${sets} WHERE uuid = ?`).run(...entries.map(([, v]) => v), uuid);
  }

  getCall(uuid: string): CallRecord | undefined {
    const row = this.db.prepare('SELECT * FROM calls WHERE uuid = ?').get(uuid) as Record<string, unknown> | undefined;
    if (!row) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, column] of Object.entries(CALL_COLUMNS)) out[key] = row[column];
    return out as unknown as CallRecord;
  }

  addTranscript(t: TranscriptRecord): void {
    this.#insertTranscript.run(t.callUuid, t.seq, t.speaker, t.text, t.startMs, t.endMs, t.confidence, t.engine, Date.now());
  }

  transcripts(callUuid: string): TranscriptRecord[] {
    return this.db.prepare(`SELECT call_uuid AS callUuid, seq, speaker, text, start_ms AS startMs, end_ms AS endMs,
      confidence, engine FROM transcripts WHERE call_uuid = ? ORDER BY seq`).all(callUuid) as TranscriptRecord[];
  }

  /** Insert or update the ticket draft of a call; returns the ticket number (kept on update). */
  saveTicketDraft(input: { callUuid: string; source: 'agent' | 'voicebot'; contactPhone: string | null; draft: unknown; newNumber: () => string }): string {
    const existing = this.db.prepare('SELECT ticket_number AS n FROM tickets WHERE call_uuid = ?').get(input.callUuid) as { n: string } | undefined;
    const ticketNumber = existing?.n ?? input.newNumber();
    this.#upsertTicket.run({
      ticketNumber, callUuid: input.callUuid, status: 'draft', source: input.source,
      contactPhone: input.contactPhone, draftJson: JSON.stringify(input.draft), now: Date.now(),
    });
    return ticketNumber;
  }

  ticketForCall(callUuid: string): TicketRecord | undefined {
    const row = this.db.prepare(`SELECT ticket_number AS ticketNumber, call_uuid AS callUuid, status, source,
      contact_phone AS contactPhone, draft_json AS draftJson, created_at AS createdAt, updated_at AS updatedAt
      FROM tickets WHERE call_uuid = ?`).get(callUuid) as (TicketRecord & { draftJson: string }) | undefined;
    if (!row) return undefined;
    const { draftJson, ...rest } = row;
    return { ...rest, draft: JSON.parse(draftJson) };
  }

  /** The ticket with this number (工单号), or undefined. */
  ticketByNumber(ticketNumber: string): TicketRecord | undefined {
    const row = this.db.prepare('SELECT call_uuid AS c FROM tickets WHERE ticket_number = ?').get(ticketNumber) as { c: string | null } | undefined;
    if (!row) return undefined;
    if (row.c) return this.ticketForCall(row.c);
    const r = this.db.prepare(`SELECT ticket_number AS ticketNumber, call_uuid AS callUuid, status, source, contact_phone AS contactPhone,
      draft_json AS draftJson, created_at AS createdAt, updated_at AS updatedAt FROM tickets WHERE ticket_number = ?`).get(ticketNumber) as TicketRecord & { draftJson: string };
    const { draftJson, ...rest } = r;
    return { ...rest, draft: JSON.parse(draftJson) };
  }

  /** District (区) of the caller's most recent ticket that has one, or null. */
  lastDistrictOfCaller(callerNumber: string): string | null {
    const row = this.db.prepare(`SELECT json_extract(t.draft_json, '$.district') AS d FROM tickets t JOIN calls c ON c.uuid = t.call_uuid
      WHERE c.caller_number = ? AND json_extract(t.draft_json, '$.district') IS NOT NULL ORDER BY t.updated_at DESC LIMIT 1`).get(callerNumber) as { d: string } | undefined;
    return row?.d ?? null;
  }

  /** Store (or replace) the survey answer of a call. */
  saveSurvey(s: SurveyRecord): void {
    this.db.prepare(`INSERT INTO surveys (call_uuid, agent_id, score, node_id, at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(call_uuid) DO UPDATE SET score = excluded.score, node_id = excluded.node_id, at = excluded.at`).run(s.callUuid, s.agentId, s.score, s.nodeId, s.at);
  }

  survey(callUuid: string): SurveyRecord | undefined {
    return this.db.prepare('SELECT call_uuid AS callUuid, agent_id AS agentId, score, node_id AS nodeId, at FROM surveys WHERE call_uuid = ?').get(callUuid) as SurveyRecord | undefined;
  }

  /** Count of tickets created on the given day (yyyymmdd), for ticket numbering. */
  countTicketsWithPrefix(prefix: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS c FROM tickets WHERE ticket_number LIKE ?').get(`${prefix}%`) as { c: number }).c;
  }
}
