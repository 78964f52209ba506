import { EventEmitter } from 'node:events';
import type { AgentState, NotReadyReason } from './acd/agent.js';
import type { Speaker } from '../speech/ports.js';

/** Progress of a call, for agents, supervisors and the demo's console. Times in ms since epoch. */
export type CallProgress =
  | { type: 'started'; callUuid: string; callerNumber: string; at: number; resynced: boolean }
  | { type: 'ivr'; callUuid: string; step: string; detail?: string }
  | { type: 'queued'; callUuid: string; queue: string; waiting: number }
  | { type: 'offered'; callUuid: string; agentId: string; callerNumber: string; queue: string }
  | { type: 'offerFailed'; callUuid: string; agentId: string; cause: string }
  | { type: 'answered'; callUuid: string; agentId: string; queueWaitMs: number }
  | { type: 'overflow'; callUuid: string; reason: 'no-agents' | 'wait-timeout' }
  | { type: 'voicebot'; callUuid: string; step: string; detail?: string }
  | { type: 'ended'; callUuid: string; agentId: string | undefined; disposition: string; cause: string };

/** One transcript message; `seq` increases by one per message within a call. */
export interface TranscriptMessage {
  callUuid: string;
  agentId: string | undefined;
  seq: number;
  kind: 'interim' | 'final';
  speaker: Speaker;
  text: string;
  startMs: number;
  endMs: number;
  confidence: number;
  /** When the server emitted it (ms since epoch, high resolution), for latency measurements. */
  emittedAt: number;
}

export interface TicketDraftMessage {
  callUuid: string;
  agentId: string | undefined;
  ticketNumber: string;
  draft: unknown;
  changedFields: readonly string[];
}

export interface AlertMessage {
  callUuid: string;
  agentId: string | undefined;
  kind: string;
  detail: string;
}

export interface HotlineEventMap {
  call: [CallProgress];
  transcript: [TranscriptMessage];
  ticketDraft: [TicketDraftMessage];
  agentState: [{ agentId: string; from: AgentState; to: AgentState; reason: NotReadyReason | undefined; callUuid: string | undefined }];
  alert: [AlertMessage];
}

/** The realtime hub: domain events that routes push to agents/supervisors over WebSockets. */
export class HotlineEvents extends EventEmitter<HotlineEventMap> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}
