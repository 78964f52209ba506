/**
 * API commands (`api …` / `bgapi …`) with FreeSWITCH's reply texts. Each handler returns the exact
 * `api/response` body; `undefined` means "command not found" (the ESL layer replies
 * `-ERR <cmd> Command not found!\n`).
 */
import { audioForkCommand, audioStreamCommand, separateString } from './audio-fork.js';
import type { Channel } from './channel.js';
import { Q850 } from './channel.js';
import { SHOW_CALLS_COLUMNS, SHOW_CHANNELS_COLUMNS, type DbRow } from './core.js';
import { originate, type OriginateDeps } from './originate.js';
import { recordCommand } from './recorder.js';

/** Everything the API commands act on. */
export interface ApiDeps extends OriginateDeps {
  /** Destinations that re-enter `park` on uuid_transfer (the hotline number). */
  readonly parkDestinations: ReadonlySet<string>;
}

const NO_SUCH_CHANNEL = '-ERR No such channel!\n';
const SHOW_USAGE =
  '-USAGE: codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels [count|like <match string>]|calls|detailed_calls|bridged_calls|detailed_bridged_calls|aliases|complete|chat|management|modules|nat_map|say|interfaces|interface_types|tasks|limits\n';

type Handler = (d: ApiDeps, arg: string) => string | Promise<string>;

/** FreeSWITCH's uptime text, e.g. `0 years, 0 days, 0 hours, 6 minutes, 27 seconds, 523 milliseconds, 314 microseconds`. */
export function uptime(ms: number): string {
  const us = Math.floor(ms * 1000);
  const s = Math.floor(ms / 1000);
  const years = Math.floor(s / 31536000);
  const days = Math.floor((s % 31536000) / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return `${years} years, ${days} days, ${hours} hours, ${minutes} minutes, ${s % 60} seconds, ${Math.floor(ms) % 1000} milliseconds, ${us % 1000} microseconds`;
}

function causeOf(s: string | undefined): string {
  const c = (s ?? '').trim().toUpperCase();
  return c && (c in Q850 || /^[A-Z_]+$/.test(c)) ? c : 'NORMAL_CLEARING';
}

function live(d: ApiDeps, uuid: string | undefined): Channel | undefined {
  const ch = uuid ? d.core.channels.get(uuid) : undefined;
  return ch && ch.alive ? ch : undefined;
}

function showRows(rows: DbRow[], columns: readonly string[], format: string | undefined, justCount: boolean): string {
  if (format === 'json') {
    if (rows.length === 0) return '{"row_count": 0}\n';
    return JSON.stringify({ row_count: rows.length, rows: justCount ? [] : rows });
  }
  if (format === 'xml') {
    if (rows.length === 0) return '<result row_count="0"/>\n';
    let x = `<result row_count="${rows.length}">\n`;
    rows.forEach((r, i) => {
      x += `  <row row_id="${i + 1}">\n`;
      for (const c of columns) x += `    <${c}>${(r[c] ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</${c}>\n`;
      x += '  </row>\n';
    });
    return x + '</result>\n';
  }
  if (format && format !== 'delim' && format !== 'csv') return `-ERR Cannot find format ${format}\n`;
  let out = '';
  if (!justCount && rows.length > 0) {
    out += columns.join(',') + '\n';
    for (const r of rows) out += columns.map((c) => r[c] ?? '').join(',') + '\n';
  }
  return out + `\n${rows.length} total.\n`;
}

const handlers: Record<string, Handler> = {
  status(d) {
    const c = d.core;
    const up = c.config.wallClock() - c.startedMs;
    const n = c.channels.size;
    return (
      `UP ${uptime(up)}\n` +
      'FreeSWITCH (Version 1.11.1-release  64bit) is ready\n' +
      `${c.sessionsSinceStartup} session(s) since startup\n` +
      `${n} session(s) - peak ${c.peakSessions}, last 5min ${c.peakSessions} \n` +
      '0 session(s) per Sec out of max 30, peak 2, last 5min 1 \n' +
      '1000 session(s) max\n' +
      'min idle cpu 0.00/97.40\n' +
      'Current Stack Size/Max 240K/8192K\n'
    );
  },
  version: () => 'FreeSWITCH Version 1.11.1-release~64bit (-release 64bit)\n',
  hostname: (d) => d.core.config.identity.hostname,
  echo: (_d, arg) => arg,
  reloadxml: () => '+OK [Success]\n',
  global_getvar: () => '',
  show(d, arg) {
    const w = arg.trim().split(/\s+/).filter(Boolean);
    const what = w[0]?.toLowerCase();
    if (what !== 'channels' && what !== 'calls') return SHOW_USAGE;
    const count = w[1]?.toLowerCase() === 'count';
    const asIdx = w.findIndex((x) => x.toLowerCase() === 'as');
    const format = asIdx >= 0 ? w[asIdx + 1]?.toLowerCase() : undefined;
    const rows = what === 'channels' ? d.core.dbChannels() : d.core.dbCalls();
    return showRows(rows, what === 'channels' ? SHOW_CHANNELS_COLUMNS : SHOW_CALLS_COLUMNS, format, count);
  },
  uuid_exists: (d, arg) => (live(d, arg.trim()) ? 'true' : 'false'),
  uuid_getvar(d, arg) {
    const [uuid, name] = arg.trim().split(/\s+/);
    if (!uuid || !name) return '-USAGE: <uuid> <var>\n';
    const ch = live(d, uuid);
    if (!ch) return NO_SUCH_CHANNEL;
    return ch.vars.get(name) ?? '_undef_';
  },
  uuid_setvar(d, arg) {
    const argv = separateString(arg, 3);
    if (argv.length < 2 || argv.length > 3 || !argv[0]) return '-USAGE: <uuid> <var> [value]\n';
    const ch = live(d, argv[0]);
    if (!ch) return NO_SUCH_CHANNEL;
    ch.vars.set(argv[1]!, argv[2]);
    return '+OK\n';
  },
  uuid_setvar_multi(d, arg) {
    const sp = arg.indexOf(' ');
    if (sp < 0) return '-USAGE: <uuid> <var>=<value>;<var>=<value>...\n';
    const ch = live(d, arg.slice(0, sp));
    if (!ch) return NO_SUCH_CHANNEL;
    for (const pair of arg.slice(sp + 1).split(';')) {
      const eq = pair.indexOf('=');
      if (eq > 0) ch.vars.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return '+OK\n';
  },
  uuid_kill(d, arg) {
    const [uuid, cause] = arg.trim().split(/\s+/);
    const ch = live(d, uuid);
    if (!ch) return NO_SUCH_CHANNEL;
    d.calls.hangup(ch, causeOf(cause));
    return '+OK\n';
  },
  uuid_answer(d, arg) {
    const ch = live(d, arg.trim().split(/\s+/)[0]);
    if (!ch) return '-ERROR\n';
    d.calls.answer(ch);
    return '+OK\n';
  },
  uuid_bridge(d, arg) {
    const [a, b] = arg.trim().split(/\s+/);
    const ca = live(d, a);
    const cb = live(d, b);
    if (!ca || !cb || ca === cb) return '-ERR Invalid uuid\n';
    d.core.clock.after(0, () => d.calls.bridge(ca, cb));
    return `+OK ${cb.uuid}\n`;
  },
  uuid_break(d, arg) {
    const [uuid, flag] = arg.trim().split(/\s+/);
    if (!uuid) return '-USAGE: <uuid> [all]\n';
    const ch = live(d, uuid);
    if (!ch) return NO_SUCH_CHANNEL;
    d.apps.breakPlayback(ch, (flag ?? '').includes('all'));
    if ((flag ?? '').includes('both') && ch.partner) d.apps.breakPlayback(ch.partner, (flag ?? '').includes('all'));
    return '+OK\n';
  },
  uuid_transfer(d, arg) {
    const argv = arg.trim().split(/\s+/).filter(Boolean);
    const uuid = argv.shift();
    let legs: 'a' | 'b' | 'both' = 'a';
    if (argv[0] === '-bleg') legs = 'b';
    if (argv[0] === '-both') legs = 'both';
    if (legs !== 'a') argv.shift();
    const [dest, dialplan, context] = argv;
    const ch = live(d, uuid);
    if (!ch) return NO_SUCH_CHANNEL;
    if (!dest) return '-USAGE: <uuid> [-bleg|-both] <dest-exten [<dialplan>] [<context>]\n';
    const targets = legs === 'a' ? [ch] : legs === 'b' ? [ch.partner] : [ch, ch.partner];
    for (const t of targets) if (t) d.calls.transfer(t, dest, dialplan ?? 'XML', context ?? 'default', d.parkDestinations);
    return '+OK\n';
  },
  uuid_broadcast(d, arg) {
    const [uuid, path, legs] = arg.trim().split(/\s+/);
    const ch = live(d, uuid);
    if (!ch || !path) return '-ERR invalid uuid\n';
    const targets = legs === 'bleg' ? [ch.partner] : legs === 'both' ? [ch, ch.partner] : [ch];
    const m = /^([\w-]+)::(.*)$/.exec(path);
    for (const t of targets) {
      if (t) d.apps.enqueue(t, { name: m ? m[1]! : 'playback', arg: m ? m[2] : path, appUuid: d.core.uuid(), loops: false });
    }
    return '+OK Message sent\n';
  },
  uuid_recv_dtmf(d, arg) {
    const [uuid, digits] = arg.trim().split(/\s+/);
    if (!uuid || !digits) return '-USAGE: <uuid> <dtmf_data>\n';
    const ch = live(d, uuid);
    if (!ch) return '-ERR Cannot locate session!\n';
    [...digits.replace(/[^0-9A-D*#]/gi, '')].forEach((digit, i) => d.core.clock.after(i * 100, () => d.calls.dtmf(ch, digit)));
    return '';
  },
  uuid_send_dtmf(d, arg) {
    const [uuid, digits] = arg.trim().split(/\s+/);
    if (!uuid || !digits) return '-USAGE: <uuid> <dtmf_data>\n';
    return live(d, uuid) ? '' : '-ERR Cannot locate session!\n';
  },
  hupall(d, arg) {
    const cause = causeOf(arg.trim().split(/\s+/)[0] || 'MANAGER_REQUEST');
    for (const ch of [...d.core.channels.values()]) d.calls.hangup(ch, cause);
    return `+OK hangup all channels with cause ${cause}\n`;
  },
  originate: (d, arg) => originate(d, arg),
  uuid_record: (d, arg) => recordCommand(d.core, arg),
  uuid_audio_fork: (d, arg) =>
    audioForkCommand(
      d.core,
      arg,
      (ch) => d.calls.preAnswer(ch),
      (ch) => d.apps.breakPlayback(ch, false),
    ),
  uuid_audio_stream: (d, arg) => audioStreamCommand(d.core, arg, (ch) => d.calls.preAnswer(ch)),
};

/** Names of the implemented API commands. */
export const API_COMMANDS: readonly string[] = Object.keys(handlers);

/**
 * Runs an API command. Fires the API event (seen by `event … ALL` listeners) first.
 * @returns the reply body, or `undefined` when the command does not exist.
 */
export async function executeApi(d: ApiDeps, command: string, arg: string | undefined): Promise<string | undefined> {
  const h = Object.hasOwn(handlers, command) ? handlers[command] : undefined;
  if (!h) return undefined;
  const ev = d.core.event('API').add('API-Command', command);
  if (arg !== undefined) ev.add('API-Command-Argument', arg);
  d.core.fire(ev);
  try {
    return await h(d, arg ?? '');
  } catch (err) {
    d.core.log.error({ err, command }, 'api command failed');
    return `-ERR ${command} failed\n`;
  }
}

