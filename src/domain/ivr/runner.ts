/**
 * Runs a compiled flow on one call: from the start node, exec each node, follow the exit it
 * returns. Ends when a node returns null (hangup, transfer), an exit is left unconnected
 * (optional exits: the call is hung up), the call ends (`CallEndedError`), or the runner is
 * stopped. A guard stops runaway flows: more than `maxStepsWithoutInput` consecutive nodes that
 * never wait for the caller (validation already rejects such loops).
 */
import { CallEndedError, type IvrContext } from './context.js';
import type { CompiledFlow } from './compile.js';
import { AWAITS_CALLER_INPUT } from './exits.js';
import type { IvrNode, NodeRegistry } from './node.js';

/** One executed node. `ms` = wall time in exec (includes waiting for the caller). */
export interface FlowStep {
  readonly nodeId: string;
  readonly type: string;
  /** Exit taken; null if the call ended at (or during) the node. */
  readonly exit: string | null;
  readonly ms: number;
}

/** How the flow run ended. */
export type FlowOutcome = 'completed' | 'hungUp' | 'callEnded' | 'stopped' | 'error' | 'runaway';

export interface FlowRunResult {
  readonly outcome: FlowOutcome;
  readonly path: readonly FlowStep[];
  readonly error?: Error;
}

export interface FlowRunOptions {
  readonly registry: NodeRegistry;
  /** Called before each node runs (progress events). */
  readonly onNode?: (nodeId: string, type: string) => void;
  readonly maxStepsWithoutInput?: number;
}

/** One flow run; `stop()` kills the running node. */
export class FlowRun {
  readonly path: FlowStep[] = [];
  #current: IvrNode | undefined;
  #stopped = false;

  constructor(readonly flow: CompiledFlow, private readonly ctx: IvrContext, private readonly options: FlowRunOptions) {}

  /** Run to the end. Never rejects: failures come back as outcome `error` with the error. */
  async run(): Promise<FlowRunResult> {
    const { registry, onNode } = this.options;
    const maxPassive = this.options.maxStepsWithoutInput ?? 200;
    let nodeId: string | undefined = this.flow.start;
    let passive = 0;
    while (nodeId !== undefined) {
      if (this.#stopped) return { outcome: 'stopped', path: this.path };
      const def = this.flow.nodes.get(nodeId);
      if (!def) return { outcome: 'error', path: this.path, error: new Error(`node ${nodeId} missing`) };
      passive = AWAITS_CALLER_INPUT.has(def.type) ? 0 : passive + 1;
      if (passive > maxPassive) return { outcome: 'runaway', path: this.path };
      onNode?.(def.id, def.type);
      const node = registry.create(def.type, def.id, def.props);
      this.#current = node;
      const started = performance.now();
      let exit: string | null;
      try {
        exit = await node.exec(this.ctx);
      } catch (error) {
        this.path.push({ nodeId: def.id, type: def.type, exit: null, ms: performance.now() - started });
        if (error instanceof CallEndedError) return { outcome: 'callEnded', path: this.path };
        if (this.#stopped) return { outcome: 'stopped', path: this.path };
        return { outcome: 'error', path: this.path, error: error as Error };
      } finally {
        this.#current = undefined;
      }
      this.path.push({ nodeId: def.id, type: def.type, exit, ms: performance.now() - started });
      if (exit === null) return { outcome: 'completed', path: this.path };
      nodeId = def.exits[exit];
      if (nodeId === undefined) {
        await this.ctx.hangup(def.id, undefined).catch(() => undefined);
        return { outcome: 'hungUp', path: this.path };
      }
    }
    return { outcome: 'completed', path: this.path };
  }

  /** Stop the run: the current node is killed. */
  stop(reason = 'stopped'): void {
    this.#stopped = true;
    this.#current?.kill(reason);
  }
}
