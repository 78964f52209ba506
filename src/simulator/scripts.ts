/**
 * Scripted inbound calls: the JSON/YAML-able description of what the simulated citizen does
 * ({@link CallScript}), its validator and JSON schema, and the runner that reacts to what happens on
 * the call (prompts, answer, bridge, forks) by pressing keys, speaking WAV files or hanging up.
 */

/** What happens on the call that a script action can react to. */
export type ScriptTrigger =
  | 'placed'
  | 'park'
  | 'answer'
  | 'execute'
  | 'playbackStart'
  | 'playbackStop'
  | 'bridge'
  | 'unbridge'
  | 'forkStart'
  | 'forkStop'
  | 'recordStart'
  | 'dtmf';

/** What the caller does. */
export type ScriptDo =
  /** Press keys (RFC 2833): one DTMF event per digit, `dtmfIntervalMs` apart. */
  | { readonly dtmf: string }
  /** Speak a WAV (8/16 kHz 16-bit mono) or `.raw` (16 kHz s16le) file from now on; replaces what was being said. */
  | { readonly say: string }
  /** Hang up (BYE, or CANCEL before answer); `true` = NORMAL_CLEARING, or a cause name. */
  | { readonly hangup: true | string }
  /** Stop speaking. */
  | { readonly silence: true }
  /** Write a latency marker (benchmarks; see markers.ts) with this text (`true` = no text). */
  | { readonly marker: true | string };

export interface ScriptAction {
  readonly on: ScriptTrigger;
  /**
   * Substring to match: of the played file (playback*), the fork URL (fork*), the application
   * name or its argument (execute), the digit (dtmf), the other leg's uuid (bridge/unbridge), the recording path.
   */
  readonly match?: string;
  /** Simulated ms between the trigger and the action. Default 0. */
  readonly delayMs?: number;
  /** How many times the action may fire; 0 = every time. Default 1. */
  readonly times?: number;
  readonly do: ScriptDo;
}

/** A scripted inbound call. All durations in simulated milliseconds. */
export interface CallScript {
  /** Calling number (ANI). Default `13800138000`. */
  readonly caller?: string;
  /** Display name. Default = caller. */
  readonly callerName?: string;
  /** Dialled number. Default `12345`. */
  readonly destination?: string;
  /** Force the channel uuid. */
  readonly uuid?: string;
  /** Extra channel variables at creation, e.g. `{ "sip_h_X-Source": "web" }`. */
  readonly variables?: Readonly<Record<string, string>>;
  /** File the caller starts saying as soon as the call is placed. */
  readonly say?: string;
  /** The caller hangs up this long after the call was placed (if the call is still up). */
  readonly hangupAfterMs?: number;
  /** Gap between the digits of one `dtmf` action. Default 200. */
  readonly dtmfIntervalMs?: number;
  /** RTP packetisation of the caller leg: 20 (default) or 30 ms. */
  readonly ptimeMs?: 20 | 30;
  readonly actions?: readonly ScriptAction[];
}

/** A script failed validation; `issues` lists every problem with its JSON path. */
export class CallScriptError extends Error {
  override readonly name = 'CallScriptError' as const;
  constructor(readonly issues: readonly string[]) {
    super(`invalid call script: ${issues.join('; ')}`);
  }
}

export const SCRIPT_TRIGGERS: readonly ScriptTrigger[] = [
  'placed',
  'park',
  'answer',
  'execute',
  'playbackStart',
  'playbackStop',
  'bridge',
  'unbridge',
  'forkStart',
  'forkStop',
  'recordStart',
  'dtmf',
];

/** JSON schema (draft-07) of {@link CallScript}, for editors and other tools. */
export const callScriptSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://hotline12345.dev/schemas/simulator-call-script.json',
  title: 'Simulated inbound call',
  type: 'object',
  additionalProperties: false,
  properties: {
    caller: { type: 'string', pattern: '^[0-9+*#A-Za-z._-]{1,64}$' },
    callerName: { type: 'string', maxLength: 128 },
    destination: { type: 'string', pattern: '^[0-9+*#A-Za-z._-]{1,64}$' },
    uuid: { type: 'string', pattern: '^[0-9a-fA-F-]{8,64}$' },
    variables: { type: 'object', additionalProperties: { type: 'string' } },
    say: { type: 'string', minLength: 1 },
    hangupAfterMs: { type: 'number', minimum: 0 },
    dtmfIntervalMs: { type: 'number', minimum: 0 },
    ptimeMs: { enum: [20, 30] },
    actions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['on', 'do'],
        properties: {
          on: { enum: SCRIPT_TRIGGERS },
          match: { type: 'string' },
          delayMs: { type: 'number', minimum: 0 },
          times: { type: 'integer', minimum: 0 },
          do: {
            oneOf: [
              { type: 'object', additionalProperties: false, required: ['dtmf'], properties: { dtmf: { type: 'string', pattern: '^[0-9A-Da-d*#]+$' } } },
              { type: 'object', additionalProperties: false, required: ['say'], properties: { say: { type: 'string', minLength: 1 } } },
              {
                type: 'object',
                additionalProperties: false,
                required: ['hangup'],
                properties: { hangup: { oneOf: [{ const: true }, { type: 'string', pattern: '^[A-Z_]+$' }] } },
              },
              { type: 'object', additionalProperties: false, required: ['silence'], properties: { silence: { const: true } } },
              {
                type: 'object',
                additionalProperties: false,
                required: ['marker'],
                properties: { marker: { oneOf: [{ const: true }, { type: 'string', maxLength: 4096 }] } },
              },
            ],
          },
        },
      },
    },
  },
} as const;

const NUMBER_RE = /^[0-9+*#A-Za-z._-]{1,64}$/;

/**
 * Validates an untrusted script (e.g. parsed JSON). Returns it typed, or throws
 * {@link CallScriptError} listing every issue.
 */
export function validateCallScript(input: unknown): CallScript {
  const issues: string[] = [];
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new CallScriptError(['$: must be an object']);
  const s = input as Record<string, unknown>;
  const known = new Set(Object.keys(callScriptSchema.properties));
  for (const k of Object.keys(s)) if (!known.has(k)) issues.push(`$.${k}: unknown property`);
  const str = (k: string, re?: RegExp) => {
    const v = s[k];
    if (v === undefined) return;
    if (typeof v !== 'string' || !v) issues.push(`$.${k}: must be a non-empty string`);
    else if (re && !re.test(v)) issues.push(`$.${k}: ${JSON.stringify(v)} does not match ${re}`);
  };
  const num = (path: string, v: unknown) => {
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) issues.push(`${path}: must be a number >= 0`);
  };
  str('caller', NUMBER_RE);
  str('destination', NUMBER_RE);
  str('callerName');
  str('uuid', /^[0-9a-fA-F-]{8,64}$/);
  str('say');
  num('$.hangupAfterMs', s['hangupAfterMs']);
  num('$.dtmfIntervalMs', s['dtmfIntervalMs']);
  if (s['ptimeMs'] !== undefined && s['ptimeMs'] !== 20 && s['ptimeMs'] !== 30) issues.push('$.ptimeMs: must be 20 or 30');
  const vars = s['variables'];
  if (vars !== undefined) {
    if (!vars || typeof vars !== 'object' || Array.isArray(vars)) issues.push('$.variables: must be an object of strings');
    else for (const [k, v] of Object.entries(vars)) if (typeof v !== 'string') issues.push(`$.variables.${k}: must be a string`);
  }
  const actions = s['actions'];
  if (actions !== undefined) {
    if (!Array.isArray(actions)) issues.push('$.actions: must be an array');
    else
      actions.forEach((a: unknown, i) => {
        const p = `$.actions[${i}]`;
        if (!a || typeof a !== 'object' || Array.isArray(a)) return void issues.push(`${p}: must be an object`);
        const o = a as Record<string, unknown>;
        for (const k of Object.keys(o)) if (!['on', 'match', 'delayMs', 'times', 'do'].includes(k)) issues.push(`${p}.${k}: unknown property`);
        if (!SCRIPT_TRIGGERS.includes(o['on'] as ScriptTrigger)) issues.push(`${p}.on: must be one of ${SCRIPT_TRIGGERS.join(', ')}`);
        if (o['match'] !== undefined && typeof o['match'] !== 'string') issues.push(`${p}.match: must be a string`);
        num(`${p}.delayMs`, o['delayMs']);
        if (o['times'] !== undefined && !(Number.isInteger(o['times']) && (o['times'] as number) >= 0)) issues.push(`${p}.times: must be an integer >= 0`);
        const d = o['do'];
        if (!d || typeof d !== 'object' || Array.isArray(d)) return void issues.push(`${p}.do: must be an object`);
        const keys = Object.keys(d);
        const dd = d as Record<string, unknown>;
        if (keys.length !== 1) issues.push(`${p}.do: must have exactly one of dtmf, say, hangup, silence, marker`);
        else if ('dtmf' in dd) {
          if (typeof dd['dtmf'] !== 'string' || !/^[0-9A-Da-d*#]+$/.test(dd['dtmf'])) issues.push(`${p}.do.dtmf: must be digits 0-9, A-D, * or #`);
        } else if ('say' in dd) {
          if (typeof dd['say'] !== 'string' || !dd['say']) issues.push(`${p}.do.say: must be a file path`);
        } else if ('hangup' in dd) {
          if (dd['hangup'] !== true && !(typeof dd['hangup'] === 'string' && /^[A-Z_]+$/.test(dd['hangup']))) {
            issues.push(`${p}.do.hangup: must be true or a cause like NORMAL_CLEARING`);
          }
        } else if ('silence' in dd) {
          if (dd['silence'] !== true) issues.push(`${p}.do.silence: must be true`);
        } else if ('marker' in dd) {
          const m = dd['marker'];
          if (m !== true && !(typeof m === 'string' && Buffer.byteLength(m) <= 4096)) issues.push(`${p}.do.marker: must be true or a text of at most 4096 bytes`);
        } else issues.push(`${p}.do: unknown action ${keys[0]}`);
      });
  }
  if (issues.length) throw new CallScriptError(issues);
  return s as CallScript;
}
