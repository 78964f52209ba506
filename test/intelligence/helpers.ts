import { prepareTurn, type PreparedTurn } from '../../src/domain/tickets/intelligence/text.js';

/** Build prepared turns from a compact script: lines starting with "A:" (agent) or "C:" (caller). */
export function turns(...lines: string[]): PreparedTurn[] {
  return lines.map((line, i) => {
    const speaker = line.startsWith('A:') ? 'agent' : 'caller';
    return prepareTurn({ speaker, text: line.slice(2) }, i);
  });
}

/** The same as `turns` but as raw transcript turns. */
export function rawTurns(...lines: string[]): { speaker: 'agent' | 'caller'; text: string }[] {
  return lines.map((line) => ({ speaker: line.startsWith('A:') ? 'agent' : 'caller', text: line.slice(2) }));
}
