/**
 * The node lifecycle and the registry keyed by node type (like jambonz verbs: one class per type,
 * no giant switch). A node instance runs once: `exec` returns the name of the exit taken (or null
 * when the call ends at this node); `kill` stops it early (caller hung up, flow stopped).
 */
import type { TSchema } from '@sinclair/typebox';
import type { IvrContext } from './context.js';

/** One running node. */
export abstract class IvrNode<P = unknown> {
  readonly #abort = new AbortController();

  constructor(readonly id: string, readonly props: P) {}

  /** Aborted by `kill`; pass it to every context call. */
  protected get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /**
   * Run the node. Resolves with the exit name to follow, or null when the call ends here
   * (hangup, transfer). Rejects with `CallEndedError` if the call ends under it.
   */
  abstract exec(ctx: IvrContext): Promise<string | null>;

  /** Stop the node: pending context operations are aborted. Idempotent. */
  kill(reason: string = 'killed'): void {
    if (!this.#abort.signal.aborted) this.#abort.abort(new Error(reason));
  }
}

/** A node class as registered: its props schema and constructor. */
export interface NodeClass<P = any> {
  /** Props JSON schema (TypeBox). */
  readonly propsSchema: TSchema;
  new (id: string, props: P): IvrNode<P>;
}

/** Node classes by type. Unknown types are a validation error, never a runtime surprise. */
export class NodeRegistry {
  readonly #classes = new Map<string, NodeClass>();

  /** @throws Error if `type` is registered already. */
  register(type: string, cls: NodeClass): this {
    if (this.#classes.has(type)) throw new Error(`node type ${type} registered twice`);
    this.#classes.set(type, cls);
    return this;
  }

  has(type: string): boolean {
    return this.#classes.has(type);
  }

  get(type: string): NodeClass | undefined {
    return this.#classes.get(type);
  }

  get types(): string[] {
    return [...this.#classes.keys()];
  }

  /** @throws Error for an unknown type (validated flows never have one). */
  create(type: string, id: string, props: unknown): IvrNode {
    const cls = this.#classes.get(type);
    if (!cls) throw new Error(`unknown node type ${type}`);
    return new cls(id, props);
  }
}
