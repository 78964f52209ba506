import { StateMachine } from '../state-machine.js';

/** Agent (座席) states. `offered` = ringing with a call; `wrap-up` = after-call work (ACW). */
export type AgentState = 'logged-out' | 'available' | 'not-ready' | 'offered' | 'on-call' | 'wrap-up';

const AGENT_TRANSITIONS: Record<AgentState, readonly AgentState[]> = {
  'logged-out': ['available', 'not-ready'],
  available: ['offered', 'not-ready', 'logged-out'],
  'not-ready': ['available', 'logged-out'],
  offered: ['on-call', 'not-ready', 'available', 'logged-out'],
  'on-call': ['wrap-up', 'logged-out'],
  'wrap-up': ['available', 'not-ready', 'logged-out'],
};

/** Why an agent is not ready (shown to supervisors). `rona` = redirected on no answer. */
export type NotReadyReason = 'break' | 'rona' | 'manual' | 'offline';

/** One agent known to the ACD. */
export class Agent {
  readonly machine: StateMachine<AgentState>;
  /** When the agent last became available (ms since epoch); the longest-idle agent is offered first. */
  idleSince = 0;
  notReadyReason: NotReadyReason | undefined;
  /** Call uuid currently offered/connected. */
  callUuid: string | undefined;

  constructor(readonly id: string, readonly name: string, readonly sipUser: string, readonly skills: readonly string[]) {
    this.machine = new StateMachine<AgentState>(`agent ${id}`, 'logged-out', AGENT_TRANSITIONS);
  }

  get state(): AgentState {
    return this.machine.state;
  }

  /** Queue skill: `general` agents serve every queue. */
  hasSkill(skill: string): boolean {
    return this.skills.includes(skill) || this.skills.includes('general');
  }

  /** Required skills (language, specialism) are matched exactly; `general` does not stand in for them. */
  hasAllSkills(required: readonly string[]): boolean {
    return required.every((s) => this.skills.includes(s));
  }
}
