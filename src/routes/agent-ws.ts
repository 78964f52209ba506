import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type {} from '@fastify/websocket';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { timingSafeEqual } from 'node:crypto';
import type { Acd } from '../domain/acd/acd.js';
import type { HotlineEvents } from '../domain/events.js';
import type { AgentConfig } from '../config/config.js';

/** Messages an agent's browser sends. */
export const AgentClientMessage = Type.Union([
  Type.Object({ type: Type.Literal('login'), agentId: Type.String(), token: Type.String() }),
  Type.Object({ type: Type.Literal('ready') }),
  Type.Object({ type: Type.Literal('notReady'), reason: Type.Optional(Type.Union([Type.Literal('break'), Type.Literal('manual')])) }),
  Type.Object({ type: Type.Literal('logout') }),
]);
export type AgentClientMessage = Static<typeof AgentClientMessage>;

function tokenMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `GET /agent/ws` (WebSocket): agent login with id + token, ready / not-ready, and live pushes of
 * the agent's own calls: `agentState`, `callOffered`, `callAnswered`, `callEnded`, `transcript`
 * (interim/final with per-call `seq`), `ticketDraft`, `alert`. Every message is JSON `{type, …}`.
 * Until login only `login` is accepted; bad messages get `{type:'error', message}` and are ignored.
 */
type Send = (message: Record<string, unknown>) => void;

/**
 * Fans hub events out to the sockets of the agent they concern: one listener per event type for
 * the whole server, a lookup by agent id per event (not one listener per socket per type).
 */
class AgentFanout {
  readonly #sockets = new Map<string, Set<Send>>();

  constructor(events: HotlineEvents) {
    events.on('agentState', (e) => this.#to(e.agentId, { type: 'agentState', from: e.from, to: e.to, reason: e.reason ?? null }));
    events.on('call', (e) => {
      if (e.type === 'offered') this.#to(e.agentId, { type: 'callOffered', callUuid: e.callUuid, callerNumber: e.callerNumber, queue: e.queue });
      else if (e.type === 'answered') this.#to(e.agentId, { type: 'callAnswered', callUuid: e.callUuid, queueWaitMs: e.queueWaitMs });
      else if (e.type === 'ended' && e.agentId) this.#to(e.agentId, { type: 'callEnded', callUuid: e.callUuid, disposition: e.disposition, cause: e.cause });
    });
    events.on('transcript', (e) => { if (e.agentId) this.#to(e.agentId, { type: 'transcript', ...e }); });
    events.on('ticketDraft', (e) => { if (e.agentId) this.#to(e.agentId, { type: 'ticketDraft', ...e }); });
    events.on('alert', (e) => { if (e.agentId) this.#to(e.agentId, { type: 'alert', ...e }); });
  }

  add(agentId: string, send: Send): () => void {
    let set = this.#sockets.get(agentId);
    if (!set) this.#sockets.set(agentId, (set = new Set()));
    set.add(send);
    return () => {
      set.delete(send);
      if (set.size === 0) this.#sockets.delete(agentId);
    };
  }

  #to(agentId: string, message: Record<string, unknown>): void {
    const set = this.#sockets.get(agentId);
    if (!set) return;
    for (const send of set) send(message);
  }
}

/**
 * `GET /agent/ws` (WebSocket): agent login with id + token, ready / not-ready, and live pushes of
 * the agent's own calls: `agentState`, `callOffered`, `callAnswered`, `callEnded`, `transcript`
 * (interim/final with per-call `seq`), `ticketDraft`, `alert`. Every message is JSON `{type, …}`.
 * Until login only `login` is accepted; bad messages get `{type:'error', message}` and are ignored.
 */
export function registerAgentSocket(app: FastifyInstance, deps: { acd: Acd; events: HotlineEvents; agents: readonly AgentConfig[] }): void {
  const { acd } = deps;
  const fanout = new AgentFanout(deps.events);
  app.get('/agent/ws', { websocket: true }, (socket: WebSocket, request) => {
    let agentId: string | undefined;
    let unsubscribe: (() => void) | undefined;
    const send: Send = (message) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };

    socket.on('message', (raw: Buffer) => {
      let message: unknown;
      try {
        message = JSON.parse(raw.toString('utf8'));
      } catch {
        send({ type: 'error', message: 'message is not JSON' });
        return;
      }
      if (!Value.Check(AgentClientMessage, message)) {
        send({ type: 'error', message: 'unknown or malformed message' });
        return;
      }
      try {
        if (message.type === 'login') {
          const agent = deps.agents.find((a) => a.id === message.agentId);
          if (!agent || !tokenMatches(agent.token, message.token)) {
            send({ type: 'error', message: 'login failed' });
            request.log.warn({ agentId: message.agentId }, 'agent login failed');
            return;
          }
          if (agentId) return;
          agentId = agent.id;
          unsubscribe = fanout.add(agent.id, send);
          acd.login(agent.id);
          send({ type: 'loggedIn', agentId: agent.id, name: agent.name, state: acd.agent(agent.id)?.state });
          return;
        }
        if (!agentId) {
          send({ type: 'error', message: 'login first' });
          return;
        }
        if (message.type === 'ready') acd.setReady(agentId, true);
        else if (message.type === 'notReady') acd.setReady(agentId, false, message.reason ?? 'manual');
        else if (message.type === 'logout') acd.logout(agentId);
      } catch (error) {
        send({ type: 'error', message: (error as Error).message });
      }
    });
    socket.on('close', () => {
      unsubscribe?.();
      const agent = agentId ? acd.agent(agentId) : undefined;
      // A dropped browser must not keep receiving offers; an agent on a call keeps it.
      if (agent && (agent.state === 'available' || agent.state === 'not-ready' || agent.state === 'wrap-up')) acd.logout(agent.id);
    });
  });
}
