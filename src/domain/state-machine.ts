/** A move a state machine does not allow. */
export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError' as const;
  constructor(readonly machine: string, readonly from: string, readonly to: string) {
    super(`${machine}: illegal transition ${from} → ${to}`);
  }
}

/**
 * A string-literal-union state machine with one `transition(next)` that rejects moves not in the
 * table (throws `IllegalTransitionError`) and reports every accepted move as `{from, to}`.
 */
export class StateMachine<S extends string> {
  #state: S;
  readonly #listeners = new Set<(change: { from: S; to: S }) => void>();

  constructor(private readonly name: string, initial: S, private readonly allowed: Readonly<Record<S, readonly S[]>>) {
    this.#state = initial;
  }

  get state(): S {
    return this.#state;
  }

  can(next: S): boolean {
    return this.allowed[this.#state].includes(next);
  }

  transition(next: S): void {
    const from = this.#state;
    if (!this.can(next)) throw new IllegalTransitionError(this.name, from, next);
    this.#state = next;
    for (const listener of [...this.#listeners]) listener({ from, to: next });
  }

  onChange(listener: (change: { from: S; to: S }) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
