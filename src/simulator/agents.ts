/**
 * Simulated SIP users (agent softphones, supervisors) in the switch's directory. `originate
 * user/<ext>` consults this directory: unknown users give SUBSCRIBER_ABSENT, unregistered ones
 * USER_NOT_REGISTERED; registered ones ring, then answer (or reject), say an audio file and may
 * hang up (BYE) after a while.
 */

/** Configuration of one simulated SIP user. All durations are simulated milliseconds. */
export interface AgentConfig {
  /** SIP user / extension, e.g. `'1000'`. */
  readonly user: string;
  /** Registered with the switch. `false` = in the directory but not registered. Default `true`. */
  readonly registered?: boolean;
  /** Rings this long before answering (or rejecting). Default 1000. `null` = never answers. */
  readonly answerAfterMs?: number | null;
  /** Reject the call instead of answering, with this hangup cause (`USER_BUSY`, `CALL_REJECTED`, …). */
  readonly reject?: string;
  /** WAV (or 16 kHz `.raw`) the agent says right after answering: the agent leg's read audio. */
  readonly audioFile?: string;
  /** The agent hangs up (sends BYE) this long after answering. */
  readonly hangupAfterMs?: number;
  /** Extra directory variables for the user's legs (besides accountcode, user_context, effective_caller_id_*). */
  readonly variables?: Readonly<Record<string, string>>;
}

/** Thrown by {@link validateAgent} for an unusable configuration. */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError' as const;
}

/** Checks an agent configuration; throws {@link AgentConfigError} with the offending field. */
export function validateAgent(a: AgentConfig): AgentConfig {
  if (!a || typeof a !== 'object') throw new AgentConfigError('agent must be an object');
  if (typeof a.user !== 'string' || !/^[\w.+-]+$/.test(a.user)) throw new AgentConfigError(`agent.user must be a SIP user name, got ${JSON.stringify(a.user)}`);
  const num = (k: keyof AgentConfig, allowNull = false) => {
    const v = a[k];
    if (v === undefined || (allowNull && v === null)) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new AgentConfigError(`agent ${a.user}: ${String(k)} must be a number >= 0`);
  };
  num('answerAfterMs', true);
  num('hangupAfterMs');
  if (a.registered !== undefined && typeof a.registered !== 'boolean') throw new AgentConfigError(`agent ${a.user}: registered must be boolean`);
  if (a.reject !== undefined && (typeof a.reject !== 'string' || !/^[A-Z_]+$/.test(a.reject))) {
    throw new AgentConfigError(`agent ${a.user}: reject must be a hangup cause like USER_BUSY`);
  }
  if (a.audioFile !== undefined && typeof a.audioFile !== 'string') throw new AgentConfigError(`agent ${a.user}: audioFile must be a path`);
  return a;
}

/** A directory entry with its simulated SIP contact. */
export interface AgentEntry {
  readonly config: AgentConfig;
  /** Port of the simulated softphone's SIP contact (channel name `sofia/internal/<user>@<ip>:<port>`). */
  readonly contactPort: number;
}

/** The directory of simulated users; changeable at runtime. */
export class AgentDirectory {
  private readonly entries = new Map<string, AgentEntry>();
  private nextPort = 5090;

  constructor(agents: readonly AgentConfig[] = []) {
    for (const a of agents) this.set(a);
  }

  /** Adds or replaces a user (validated). Keeps the user's contact port when replacing. */
  set(config: AgentConfig): void {
    validateAgent(config);
    const prev = this.entries.get(config.user);
    this.entries.set(config.user, { config, contactPort: prev?.contactPort ?? this.nextPort++ });
  }

  /** Merges a partial update into an existing user. */
  update(user: string, patch: Partial<Omit<AgentConfig, 'user'>>): void {
    const prev = this.entries.get(user);
    if (!prev) throw new AgentConfigError(`no such agent ${user}`);
    this.set({ ...prev.config, ...patch, user });
  }

  remove(user: string): boolean {
    return this.entries.delete(user);
  }

  get(user: string): AgentEntry | undefined {
    return this.entries.get(user);
  }

  list(): AgentConfig[] {
    return [...this.entries.values()].map((e) => e.config);
  }
}
