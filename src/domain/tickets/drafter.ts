/**
 * The seam between the live call path and ticket intelligence: a per-call object fed one final
 * utterance at a time, returning the whole updated draft.
 */
export interface TicketTurn {
  readonly speaker: 'agent' | 'caller';
  readonly text: string;
}

export interface TicketDraftResult {
  /** The whole current draft (shape owned by ticket intelligence; JSON-serialisable). */
  readonly draft: Record<string, unknown>;
  /** Digits of the contact phone in the draft, or null. */
  readonly contactPhone: string | null;
  readonly changedFields: readonly string[];
  /** New alerts raised by this turn (e.g. `emergency:119`, `sensitive`). */
  readonly alerts: ReadonlyArray<{ kind: string; detail: string }>;
}

export interface TicketDrafter {
  addTurn(turn: TicketTurn): TicketDraftResult;
  current(): TicketDraftResult;
}

/** Creates a drafter for one call; `callerNumber` is the caller ID. */
export type TicketDrafterFactory = (callerNumber: string) => TicketDrafter;
