/**
 * Client of the admin API (`/admin/api`, JSON, `Authorization: Bearer <token>`). Every method
 * throws `ApiError` on a non-2xx answer, carrying the server's `{ error, message, issues }`.
 */
import type { FlowDocument } from './shared.js';

/** A validation finding; `nodeId` absent for flow-level ones. */
export interface Issue {
  nodeId?: string;
  path: string;
  code: string;
  message: string;
}

export interface FlowSummary {
  id: string;
  name: string;
  numbers: string[];
  publishedVersion: number | null;
  draftUpdatedAt: number;
  draftUpdatedBy: string;
}

export interface FlowRecord {
  id: string;
  draft: FlowDocument;
  publishedVersion: number | null;
  draftUpdatedAt: number;
  draftUpdatedBy: string;
}

export interface VersionInfo {
  version: number;
  publishedAt: number | string;
  publishedBy: string;
  comment?: string | null;
  current: boolean;
}

export interface NodeTypeInfo {
  type: string;
  exits: string[];
  awaitsInput: boolean;
  propsSchema: Record<string, unknown>;
  defaults: Record<string, unknown>;
}

export interface SimulationInput {
  keys?: string[];
  utterances?: string[];
  at?: string;
  callerNumber?: string;
  variables?: Record<string, string>;
  queueOutcome?: 'completed' | 'timeout' | 'noAgents';
  tickets?: Record<string, string>;
  /** Caller's district, for district-specific announcements. */
  district?: string;
}

export interface SimulationResult {
  path: { nodeId: string; type: string; exit: string | null }[];
  prompts: { nodeId: string; text?: string; file?: string; language?: string }[];
  outcome: string;
  variables: Record<string, string>;
}

/** A non-2xx answer. `status` 0 means the request did not reach the server. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }
}

/** Builds the API client for one admin token. `base` defaults to `/admin/api`. */
export function createApi(token: string, base = '/admin/api') {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      const e = (json ?? {}) as { error?: string; message?: string; issues?: Issue[] };
      throw new ApiError(res.status, e.error ?? String(res.status), e.message ?? (text || res.statusText), e.issues ?? []);
    }
    return json as T;
  }
  const f = (id: string) => `/flows/${encodeURIComponent(id)}`;
  return {
    nodeTypes: () => call<NodeTypeInfo[]>('GET', '/node-types'),
    listFlows: () => call<FlowSummary[]>('GET', '/flows'),
    createFlow: (doc: FlowDocument) => call<{ id: string }>('POST', '/flows', { doc }),
    getFlow: (id: string) => call<FlowRecord>('GET', f(id)),
    saveDraft: (id: string, doc: FlowDocument) => call<{ issues: Issue[] }>('PUT', f(id), { doc }),
    deleteFlow: (id: string) => call<void>('DELETE', f(id)),
    validate: (id: string, doc?: FlowDocument) => call<{ valid: boolean; issues: Issue[] }>('POST', `${f(id)}/validate`, doc ? { doc } : {}),
    publish: (id: string, comment?: string) => call<{ version: number }>('POST', `${f(id)}/publish`, comment ? { comment } : {}),
    rollback: (id: string, version: number) => call<{ publishedVersion: number }>('POST', `${f(id)}/rollback`, { version }),
    versions: (id: string) => call<VersionInfo[]>('GET', `${f(id)}/versions`),
    version: (id: string, version: number) => call<{ version: number; doc: FlowDocument }>('GET', `${f(id)}/versions/${version}`),
    simulate: (id: string, input: SimulationInput, doc?: FlowDocument) =>
      call<SimulationResult>('POST', `${f(id)}/simulate`, doc ? { doc, input } : { input }),
    prompts: () => call<{ name: string; durationMs: number }[]>('GET', '/prompts'),
    /** Upload a WAV prompt (the server converts it to 8 kHz mono); `name` must end in `.wav`. */
    uploadPrompt: async (name: string, data: Blob): Promise<{ name: string; durationMs: number }> => {
      const res = await fetch(`${base}/prompts/${encodeURIComponent(name)}`, {
        method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'audio/wav' }, body: data,
      });
      const json = (await res.json().catch(() => ({}))) as { error?: string; message?: string; name?: string; durationMs?: number };
      if (!res.ok) throw new ApiError(res.status, json.error ?? String(res.status), json.message ?? res.statusText, []);
      return json as { name: string; durationMs: number };
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/** Token from `?token=` (kept for the session), else from sessionStorage; null if none. */
export function initialToken(): string | null {
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) {
    sessionStorage.setItem('adminToken', fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem('adminToken');
}

/** Remembers (or with null forgets) the admin token for this browser tab. */
export function storeToken(token: string | null): void {
  if (token) sessionStorage.setItem('adminToken', token);
  else sessionStorage.removeItem('adminToken');
}
