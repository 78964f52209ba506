/**
 * SQLite storage of IVR flows: the editable draft, immutable published versions and the
 * publish/rollback history. Publish and rollback are single transactions.
 */
import type { Db } from './database.js';

/** A flow in the list. Times in ms since the epoch. */
export interface FlowSummary {
  id: string;
  name: string;
  numbers: string[];
  publishedVersion: number | null;
  draftUpdatedAt: number;
  draftUpdatedBy: string;
}

export interface FlowRow extends FlowSummary {
  /** The draft document as saved (may be invalid). */
  draft: unknown;
}

export interface FlowVersionInfo {
  version: number;
  publishedAt: number;
  publishedBy: string;
  comment: string | null;
  /** True for the version new calls get now. */
  current: boolean;
}

export interface FlowHistoryEntry {
  action: 'create' | 'publish' | 'rollback' | 'delete';
  version: number | null;
  actor: string;
  at: number;
  comment: string | null;
}

/** No flow (or version) with that id. */
export class FlowNotFoundError extends Error {
  override name = 'FlowNotFoundError' as const;
}

/** A flow with that id exists already. */
export class FlowExistsError extends Error {
  override name = 'FlowExistsError' as const;
}

interface Shaped {
  id: string;
  name: string;
  numbers?: string[];
}

export class FlowRepository {
  constructor(private readonly db: Db, private readonly now: () => number = Date.now) {}

  list(): FlowSummary[] {
    const rows = this.db.prepare('SELECT id, name, draft_json, published_version, draft_updated_at, draft_updated_by FROM flows ORDER BY id').all() as RawFlow[];
    return rows.map((r) => summary(r));
  }

  get(id: string): FlowRow | undefined {
    const r = this.db.prepare('SELECT id, name, draft_json, published_version, draft_updated_at, draft_updated_by FROM flows WHERE id = ?').get(id) as RawFlow | undefined;
    return r ? { ...summary(r), draft: JSON.parse(r.draft_json) } : undefined;
  }

  /** @throws FlowExistsError */
  create(doc: Shaped, actor: string): void {
    const at = this.now();
    this.db.transaction(() => {
      if (this.get(doc.id)) throw new FlowExistsError(`flow ${doc.id} exists already`);
      this.db.prepare('INSERT INTO flows (id, name, draft_json, draft_updated_at, draft_updated_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(doc.id, doc.name, JSON.stringify(doc), at, actor, at);
      this.#history(doc.id, 'create', null, actor, at, null);
    })();
  }

  /** @throws FlowNotFoundError */
  saveDraft(id: string, doc: Shaped, actor: string): void {
    const r = this.db.prepare('UPDATE flows SET name = ?, draft_json = ?, draft_updated_at = ?, draft_updated_by = ? WHERE id = ?')
      .run(doc.name, JSON.stringify(doc), this.now(), actor, id);
    if (r.changes === 0) throw new FlowNotFoundError(`no flow ${id}`);
  }

  /** @throws FlowNotFoundError */
  delete(id: string, actor: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM flow_versions WHERE flow_id = ?').run(id);
      const r = this.db.prepare('DELETE FROM flows WHERE id = ?').run(id);
      if (r.changes === 0) throw new FlowNotFoundError(`no flow ${id}`);
      this.#history(id, 'delete', null, actor, this.now(), null);
    })();
  }

  /** Store `doc` as the next version and make it current, atomically. Returns the version number. */
  publish(id: string, doc: unknown, actor: string, comment: string | null): number {
    return this.db.transaction(() => {
      if (!this.get(id)) throw new FlowNotFoundError(`no flow ${id}`);
      const at = this.now();
      const max = (this.db.prepare('SELECT MAX(version) AS v FROM flow_versions WHERE flow_id = ?').get(id) as { v: number | null }).v ?? 0;
      const version = max + 1;
      this.db.prepare('INSERT INTO flow_versions (flow_id, version, doc_json, published_at, published_by, comment) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, version, JSON.stringify(doc), at, actor, comment);
      this.db.prepare('UPDATE flows SET published_version = ? WHERE id = ?').run(version, id);
      this.#history(id, 'publish', version, actor, at, comment);
      return version;
    })();
  }

  /** Make an earlier version current again. @throws FlowNotFoundError for an unknown flow or version. */
  rollback(id: string, version: number, actor: string, comment: string | null): void {
    this.db.transaction(() => {
      if (!this.version(id, version)) throw new FlowNotFoundError(`flow ${id} has no version ${version}`);
      this.db.prepare('UPDATE flows SET published_version = ? WHERE id = ?').run(version, id);
      this.#history(id, 'rollback', version, actor, this.now(), comment);
    })();
  }

  versions(id: string): FlowVersionInfo[] {
    const current = this.get(id)?.publishedVersion ?? null;
    const rows = this.db.prepare('SELECT version, published_at AS publishedAt, published_by AS publishedBy, comment FROM flow_versions WHERE flow_id = ? ORDER BY version DESC')
      .all(id) as Omit<FlowVersionInfo, 'current'>[];
    return rows.map((r) => ({ ...r, current: r.version === current }));
  }

  /** A published version's document, or undefined. */
  version(id: string, version: number): unknown {
    const r = this.db.prepare('SELECT doc_json FROM flow_versions WHERE flow_id = ? AND version = ?').get(id, version) as { doc_json: string } | undefined;
    return r ? JSON.parse(r.doc_json) : undefined;
  }

  history(id: string): FlowHistoryEntry[] {
    return this.db.prepare('SELECT action, version, actor, at, comment FROM flow_history WHERE flow_id = ? ORDER BY id').all(id) as FlowHistoryEntry[];
  }

  /** Every flow's current published version. */
  published(): { id: string; version: number; doc: unknown }[] {
    const rows = this.db.prepare(`SELECT v.flow_id AS id, v.version, v.doc_json FROM flows f JOIN flow_versions v ON v.flow_id = f.id AND v.version = f.published_version`)
      .all() as { id: string; version: number; doc_json: string }[];
    return rows.map((r) => ({ id: r.id, version: r.version, doc: JSON.parse(r.doc_json) }));
  }

  #history(id: string, action: FlowHistoryEntry['action'], version: number | null, actor: string, at: number, comment: string | null): void {
    this.db.prepare('INSERT INTO flow_history (flow_id, action, version, actor, at, comment) VALUES (?, ?, ?, ?, ?, ?)').run(id, action, version, actor, at, comment);
  }
}

interface RawFlow {
  id: string;
  name: string;
  draft_json: string;
  published_version: number | null;
  draft_updated_at: number;
  draft_updated_by: string;
}

function summary(r: RawFlow): FlowSummary {
  const draft = JSON.parse(r.draft_json) as { numbers?: unknown };
  const numbers = Array.isArray(draft.numbers) ? draft.numbers.filter((n): n is string => typeof n === 'string') : [];
  return { id: r.id, name: r.name, numbers, publishedVersion: r.published_version, draftUpdatedAt: r.draft_updated_at, draftUpdatedBy: r.draft_updated_by };
}
