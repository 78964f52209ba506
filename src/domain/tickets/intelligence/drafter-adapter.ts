/**
 * Adapter from the ticket extractor to the live call path's `TicketDrafter` seam
 * (`src/domain/tickets/drafter.ts`): one drafter per call, fed final utterances, returning the
 * whole draft (JSON-serialisable, with confidence and evidence per field) and new alerts.
 */
import type { TicketDrafter, TicketDrafterFactory, TicketDraftResult } from '../drafter.js';
import { createTicketExtractor, type TicketExtractorOptions } from './extractor.js';
import type { TicketAlert, TicketDraftUpdate } from './types.js';

/** Alert kind on the wire: `emergency:119` (with the service when known) or `sensitive`. */
function alertKind(alert: TicketAlert): string {
  if (alert.kind === 'emergency') return alert.emergencyService ? `emergency:${alert.emergencyService}` : 'emergency';
  return 'sensitive';
}

function toResult(update: TicketDraftUpdate): TicketDraftResult {
  return {
    draft: update.draft as unknown as Record<string, unknown>,
    contactPhone: update.draft.contactPhone.value,
    changedFields: update.changedFields,
    alerts: update.newAlerts.map((a) => ({ kind: alertKind(a), detail: `${a.reason} (turn ${a.evidence.turnIndex}): ${a.evidence.text}` })),
  };
}

/**
 * A `TicketDrafterFactory` for the composition root: `(callerNumber) => TicketDrafter`.
 * Options apply to every call (city pack, auto-dispatch threshold, LLM).
 */
export function createTicketDrafterFactory(options: Omit<TicketExtractorOptions, 'callerNumber'> = {}): TicketDrafterFactory {
  return (callerNumber: string): TicketDrafter => {
    const extractor = createTicketExtractor({ ...options, callerNumber });
    return {
      addTurn: (turn) => toResult(extractor.addTurn(turn)),
      current: () => toResult({ draft: extractor.draft, changedFields: [], newAlerts: [] }),
    };
  };
}
