import { EventEmitter } from 'node:events';
import { Agent, type AgentState, type NotReadyReason } from './agent.js';

/** A call waiting in a queue for an agent. */
interface Waiting {
  readonly callUuid: string;
  readonly skill: string;
  /** Extra skills the agent must have (e.g. `cantonese`), matched exactly. */
  readonly requiredSkills: readonly string[];
  /** Higher first; equal priority in arrival order. */
  readonly priority: number;
  readonly enqueuedAt: number;
  readonly resolve: (agent: Agent) => void;
  readonly reject: (error: Error) => void;
}

/** The wait ended without an agent (timeout or caller gone). */
export class QueueWaitAbortedError extends Error {
  override name = 'QueueWaitAbortedError' as const;
}

export interface AcdEvents {
  agentState: [{ agentId: string; from: AgentState; to: AgentState; reason: NotReadyReason | undefined; callUuid: string | undefined }];
  queueChanged: [{ waiting: number }];
}

/**
 * Automatic call distribution: agents with states and skills, one priority queue of waiting calls.
 * An available agent is reserved (→ `offered`) for the longest-waiting call whose skill it has,
 * longest-idle agent first. The call session then rings the agent and reports the outcome.
 */
export class Acd extends EventEmitter<AcdEvents> {
  readonly #agents = new Map<string, Agent>();
  readonly #waiting: Waiting[] = [];
  readonly #wrapUpTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly wrapUpMs: number, private readonly now: () => number = Date.now) {
    super();
  }

  /** Register an agent (from configuration). */
  addAgent(id: string, name: string, sipUser: string, skills: readonly string[]): Agent {
    const agent = new Agent(id, name, sipUser, skills);
    agent.machine.onChange(({ from, to }) => {
      if (to === 'available') agent.idleSince = this.now();
      if (to !== 'not-ready') agent.notReadyReason = undefined;
      this.emit('agentState', { agentId: id, from, to, reason: agent.notReadyReason, callUuid: agent.callUuid });
      if (to === 'available') this.#dispatch();
    });
    this.#agents.set(id, agent);
    return agent;
  }

  agent(id: string): Agent | undefined {
    return this.#agents.get(id);
  }

  get agents(): readonly Agent[] {
    return [...this.#agents.values()];
  }

  /** Agents logged in (any state but logged-out) that have `skill` and every one of `requiredSkills`. */
  loggedInCount(skill = 'general', requiredSkills: readonly string[] = []): number {
    return this.agents.filter((a) => a.state !== 'logged-out' && a.hasSkill(skill) && a.hasAllSkills(requiredSkills)).length;
  }

  get waitingCount(): number {
    return this.#waiting.length;
  }

  /** Agent asks to be ready (available) or not ready. Throws `IllegalTransitionError` mid-call. */
  setReady(agentId: string, ready: boolean, reason: NotReadyReason = 'manual'): void {
    const agent = this.#require(agentId);
    this.#clearWrapUp(agentId);
    if (ready) {
      if (agent.state !== 'available') agent.machine.transition('available');
    } else if (agent.state !== 'not-ready') {
      agent.notReadyReason = reason;
      agent.machine.transition('not-ready');
    }
  }

  login(agentId: string): void {
    const agent = this.#require(agentId);
    if (agent.state === 'logged-out') {
      agent.notReadyReason = 'manual';
      agent.machine.transition('not-ready');
    }
  }

  logout(agentId: string): void {
    const agent = this.#require(agentId);
    this.#clearWrapUp(agentId);
    if (agent.state !== 'logged-out') agent.machine.transition('logged-out');
  }

  /**
   * Wait for an agent with `skill` (the queue) and all `requiredSkills`, at `priority` (0–9,
   * higher first; equal priority in arrival order). Resolves with the agent already moved to
   * `offered`. Rejects `QueueWaitAbortedError` when `signal` aborts (queue timeout, caller hung up).
   */
  waitForAgent(callUuid: string, skill: string, signal: AbortSignal, priority = 0, requiredSkills: readonly string[] = []): Promise<Agent> {
    return new Promise<Agent>((resolve, reject) => {
      if (signal.aborted) {
        reject(new QueueWaitAbortedError('wait aborted'));
        return;
      }
      const onAbort = () => {
        const index = this.#waiting.indexOf(entry);
        if (index >= 0) {
          this.#waiting.splice(index, 1);
          this.emit('queueChanged', { waiting: this.#waiting.length });
        }
        reject(new QueueWaitAbortedError(String(signal.reason ?? 'wait aborted')));
      };
      const entry: Waiting = {
        callUuid, skill, requiredSkills, priority, enqueuedAt: this.now(),
        resolve: (agent) => {
          signal.removeEventListener('abort', onAbort);
          resolve(agent);
        },
        reject,
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const at = this.#waiting.findIndex((w) => w.priority < priority);
      if (at === -1) this.#waiting.push(entry);
      else this.#waiting.splice(at, 0, entry);
      this.emit('queueChanged', { waiting: this.#waiting.length });
      this.#dispatch();
    });
  }

  /** The offered agent answered. */
  connected(agentId: string): void {
    this.#require(agentId).machine.transition('on-call');
  }

  /** The offer failed. RONA (no answer/busy) puts the agent in not-ready so calls stop going to them. */
  offerFailed(agentId: string, rona: boolean): void {
    const agent = this.#require(agentId);
    if (agent.state !== 'offered') return;
    agent.callUuid = undefined;
    if (rona) {
      agent.notReadyReason = 'rona';
      agent.machine.transition('not-ready');
    } else agent.machine.transition('available');
  }

  /** The call ended: wrap-up (ACW), then available again after `wrapUpMs` unless the agent chose otherwise. */
  callEnded(agentId: string): void {
    const agent = this.#require(agentId);
    agent.callUuid = undefined;
    if (agent.state === 'offered') {
      agent.machine.transition('available');
      return;
    }
    if (agent.state !== 'on-call') return;
    agent.machine.transition('wrap-up');
    const timer = setTimeout(() => {
      this.#wrapUpTimers.delete(agentId);
      if (agent.state === 'wrap-up') agent.machine.transition('available');
    }, this.wrapUpMs);
    timer.unref();
    this.#wrapUpTimers.set(agentId, timer);
  }

  #dispatch(): void {
    for (let i = 0; i < this.#waiting.length; ) {
      const entry = this.#waiting[i]!;
      const agent = this.agents
        .filter((a) => a.state === 'available' && a.hasSkill(entry.skill) && a.hasAllSkills(entry.requiredSkills))
        .sort((a, b) => a.idleSince - b.idleSince)[0];
      if (!agent) {
        i++;
        continue;
      }
      this.#waiting.splice(i, 1);
      agent.callUuid = entry.callUuid;
      agent.machine.transition('offered');
      this.emit('queueChanged', { waiting: this.#waiting.length });
      entry.resolve(agent);
    }
  }

  #clearWrapUp(agentId: string): void {
    const timer = this.#wrapUpTimers.get(agentId);
    if (timer) clearTimeout(timer);
    this.#wrapUpTimers.delete(agentId);
  }

  #require(agentId: string): Agent {
    const agent = this.#agents.get(agentId);
    if (!agent) throw new UnknownAgentError(agentId);
    return agent;
  }

  close(): void {
    for (const timer of this.#wrapUpTimers.values()) clearTimeout(timer);
    this.#wrapUpTimers.clear();
  }
}

/** No agent with that id is configured. */
export class UnknownAgentError extends Error {
  override name = 'UnknownAgentError' as const;
  constructor(readonly agentId: string) {
    super(`unknown agent ${agentId}`);
  }
}
