/**
 * `originate {vars}<endpoint> <&app(args)|exten> [dialplan] [context] [cid_name] [cid_num] [timeout]`.
 *
 * Endpoints: `user/<ext>[@domain]` (the agent directory), `sofia/gateway/<gw>/<number>`,
 * `sofia/external/<number>[@host]` and `loopback/<number>` (an external party that answers after
 * `externalAnswerAfterMs` and stays silent), `error/<CAUSE>`. Only the first of several
 * `,`/`|`-separated endpoints is dialled.
 * Replies: `+OK <uuid>\n` after the leg answered, `-ERR <CAUSE>\n` otherwise. The BACKGROUND_JOB of a
 * bgapi originate comes after CHANNEL_ANSWER and before the leg's CHANNEL_EXECUTE (as captured).
 */
import { loadClip } from './audio.js';
import type { AgentDirectory } from './agents.js';
import type { Applications } from './apps.js';
import { separateString } from './audio-fork.js';
import type { CallControl } from './calls.js';
import { Channel } from './channel.js';
import { initOutboundVars, outboundAnswerVars, outboundExecuteVars, sipTag, type OutboundSipInfo } from './channel-vars.js';
import type { SwitchCore } from './core.js';
import type { MediaEngine } from './media.js';
import { profileTimes, type CallerProfile } from './templates.js';

export const ORIGINATE_USAGE =
  '-USAGE: <call url> <exten>|&<application_name>(<app_args>) [<dialplan>] [<context>] [<cid_name>] [<cid_num>] [<timeout_sec>]\n';

/** Parses `{a=b,c='x,y'}[d=e]` variable blocks in front of an endpoint. */
export function parseDialString(s: string): { vars: Array<[string, string]>; endpoint: string } {
  const vars: Array<[string, string]> = [];
  let rest = s.trim();
  for (;;) {
    const open = rest[0];
    const close = open === '{' ? '}' : open === '[' ? ']' : open === '<' ? '>' : undefined;
    if (!close) break;
    let i = 1;
    let quoted = false;
    for (; i < rest.length; i++) {
      const c = rest[i];
      if (c === '\\') i++;
      else if (c === "'") quoted = !quoted;
      else if (c === close && !quoted) break;
    }
    const body = rest.slice(1, i);
    rest = rest.slice(i + 1);
    let part = '';
    let q = false;
    const flush = () => {
      const eq = part.indexOf('=');
      if (eq > 0) vars.push([part.slice(0, eq).trim(), part.slice(eq + 1).replace(/^'(.*)'$/s, '$1')]);
      part = '';
    };
    for (let j = 0; j < body.length; j++) {
      const c = body[j]!;
      if (c === '\\' && j + 1 < body.length) {
        part += body[++j];
      } else if (c === "'") {
        q = !q;
        part += c;
      } else if (c === ',' && !q) flush();
      else part += c;
    }
    flush();
  }
  return { vars, endpoint: rest.split(/[,|]/)[0]!.trim() };
}

/** What the originate needs from the rest of the simulator. */
export interface OriginateDeps {
  readonly core: SwitchCore;
  readonly calls: CallControl;
  readonly apps: Applications;
  readonly media: MediaEngine;
  readonly agents: AgentDirectory;
}

interface Target {
  readonly kind: 'user' | 'external';
  readonly user: string;
  readonly domain: string;
  readonly contactPort: number;
  readonly answerAfterMs: number | null;
  readonly reject?: string;
  readonly audioFile?: string;
  readonly hangupAfterMs?: number;
  readonly dirVars: ReadonlyArray<readonly [string, string]>;
}

/** Executes originate; resolves with the API reply text. */
export async function originate(d: OriginateDeps, args: string): Promise<string> {
  const { core } = d;
  const argv = separateString(args, 10);
  if (argv.length < 2 || argv.length > 7) return ORIGINATE_USAGE;
  const { vars, endpoint } = parseDialString(argv[0]!);
  const exten = argv[1]!;
  const varMap = new Map(vars);
  const cfg = core.config;
  let target: Target;
  const m = /^user\/([^@]+)(?:@(.+))?$/.exec(endpoint);
  if (m) {
    const entry = d.agents.get(m[1]!);
    if (!entry) return '-ERR SUBSCRIBER_ABSENT\n';
    if (entry.config.registered === false) return '-ERR USER_NOT_REGISTERED\n';
    const a = entry.config;
    target = {
      kind: 'user',
      user: a.user,
      domain: m[2] ?? cfg.sipIp,
      contactPort: entry.contactPort,
      answerAfterMs: a.answerAfterMs === undefined ? 1000 : a.answerAfterMs,
      reject: a.reject,
      audioFile: a.audioFile,
      hangupAfterMs: a.hangupAfterMs,
      dirVars: [
        ['accountcode', a.user],
        ['user_context', 'default'],
        ['effective_caller_id_name', `Extension ${a.user}`],
        ['effective_caller_id_number', a.user],
        ...Object.entries(a.variables ?? {}),
      ],
    };
  } else {
    const err = /^error\/(\w+)/.exec(endpoint);
    if (err) return `-ERR ${err[1]}\n`;
    const ext = /^(?:sofia\/gateway\/[^/]+\/|sofia\/external\/|sofia\/internal\/|loopback\/)([^@/]+)/.exec(endpoint);
    if (!ext) return '-ERR CHAN_NOT_IMPLEMENTED\n';
    target = {
      kind: 'external',
      user: ext[1]!,
      domain: cfg.sipIp,
      contactPort: 5080,
      answerAfterMs: cfg.externalAnswerAfterMs,
      dirVars: [],
    };
  }
  const uuid = varMap.get('origination_uuid') ?? core.uuid();
  if (core.channels.has(uuid)) return '-ERR DESTINATION_OUT_OF_ORDER\n';
  const cidNum = varMap.get('origination_caller_id_number') ?? argv[5] ?? '0000000000';
  const cidName = varMap.get('origination_caller_id_name') ?? argv[4];
  const timeoutSec = Number(varMap.get('originate_timeout') ?? varMap.get('leg_timeout') ?? argv[6] ?? cfg.originateTimeoutSec) || cfg.originateTimeoutSec;
  const nowUs = core.nowUs();
  const name =
    target.kind === 'user' ? `sofia/internal/${target.user}@${cfg.sipIp}:${target.contactPort}` : `sofia/external/${target.user}@${cfg.sipIp}`;
  const profile: CallerProfile = {
    direction: 'outbound',
    logicalDirection: 'outbound',
    callerIdName: cidName,
    callerIdNumber: cidNum,
    origCallerIdName: cidName,
    origCallerIdNumber: cidNum,
    calleeIdName: 'Outbound Call',
    calleeIdNumber: target.user,
    ani: cidNum,
    destinationNumber: target.user,
    uuid,
    source: 'src/switch_ivr_originate.c',
    context: argv[3] ?? 'default',
    channelName: name,
    profileIndex: '1',
    times: profileTimes(nowUs),
  };
  const ch = new Channel(uuid, 'outbound', name, profile, nowUs, core.allocSessionId());
  ch.ptimeMs = cfg.ptimeMs;
  const sip: OutboundSipInfo = {
    user: target.user,
    domain: target.domain,
    contactIp: cfg.sipIp,
    contactPort: target.contactPort,
    profilePort: cfg.profilePort,
    callerNumber: cidNum,
    callId: `${core.uuid()}`,
    fromTag: sipTag(),
    toTag: sipTag(),
    localMediaPort: 16384 + Math.floor(Math.random() * 16000) * 2,
    remoteMediaPort: 16100 + Math.floor(Math.random() * 1000) * 2,
    ssrc: String(Math.floor(Math.random() * 4e9)),
  };
  ch.sipOut = sip;
  Object.assign(ch.db, { initialCidName: cidName ?? '', initialCidNum: cidNum, initialDest: target.user, initialContext: 'default' });
  core.registerChannel(ch);
  ch.setState('CS_NONE', 'CS_INIT');
  core.channelEvent(ch, 'CHANNEL_OUTGOING', { vars: false });
  ch.presenceId = `${target.user}@${target.domain}`;
  initOutboundVars(ch, sip, vars);
  d.calls.setRunningState(ch, 'CS_INIT', 'CS_INIT');
  ch.setState('CS_INIT', 'CS_ROUTING');
  core.channelEvent(ch, 'CHANNEL_CREATE');
  core.channelEvent(ch, 'CHANNEL_ORIGINATE');
  d.calls.setRunningState(ch, 'CS_ROUTING');
  d.calls.setRunningState(ch, 'CS_CONSUME_MEDIA');
  ch.progressUs = core.nowUs();
  ch.profile.times.progress = ch.progressUs;
  core.channelEvent(ch, 'CHANNEL_PROGRESS');
  d.calls.setCallState(ch, 'RINGING');

  const outcome = await new Promise<{ ok: true } | { ok: false; cause: string }>((resolve) => {
    const timers: Array<{ cancel(): void }> = [];
    const settle = (r: { ok: true } | { ok: false; cause: string }) => {
      for (const t of timers) t.cancel();
      ch.signals.off('destroyed', onGone);
      resolve(r);
    };
    const onGone = () => settle({ ok: false, cause: ch.hangupCause ?? 'NORMAL_CLEARING' });
    ch.signals.on('destroyed', onGone);
    timers.push(
      core.clock.after(timeoutSec * 1000, () => {
        d.calls.hangup(ch, 'NO_ANSWER');
      }),
    );
    if (target.answerAfterMs !== null) {
      timers.push(
        core.clock.after(target.answerAfterMs, () => {
          if (!ch.alive) return;
          if (target.reject) {
            d.calls.hangup(ch, target.reject, true);
            return;
          }
          answerOutbound(d, ch, sip, target);
          settle({ ok: true });
        }),
      );
    }
  });
  if (!outcome.ok) return `-ERR ${outcome.cause}\n`;
  core.clock.after(0, () => startLegApplication(d, ch, exten, target, cidNum));
  return `+OK ${uuid}\n`;
}

function answerOutbound(d: OriginateDeps, ch: Channel, sip: OutboundSipInfo, target: Target): void {
  const { core } = d;
  outboundAnswerVars(ch, sip);
  ch.mediaUp = true;
  ch.profile.networkAddr = sip.contactIp;
  const now = core.nowUs();
  ch.answeredUs = now;
  ch.profile.times.answered = now;
  ch.answerState = 'answered';
  core.channelEvent(ch, 'CHANNEL_ANSWER');
  d.calls.setCallState(ch, 'ACTIVE');
  ch.signal({ type: 'answer' });
  if (target.audioFile) {
    try {
      d.media.say(ch, loadClip(target.audioFile));
    } catch (err) {
      core.log.warn({ err, user: target.user }, 'agent audio file unusable');
    }
  }
  if (target.hangupAfterMs !== undefined) {
    core.clock.after(target.hangupAfterMs, () => d.calls.hangup(ch, 'NORMAL_CLEARING', true));
  }
}

function startLegApplication(d: OriginateDeps, ch: Channel, exten: string, target: Target, cidNum: string): void {
  if (!ch.alive) return;
  const p = ch.profile;
  // FreeSWITCH flips caller and callee id on the originated leg when it starts its own application.
  const calleeName = p.calleeIdName;
  const calleeNum = p.calleeIdNumber;
  p.calleeIdName = p.callerIdName;
  p.calleeIdNumber = p.callerIdNumber;
  p.callerIdName = calleeName;
  p.callerIdNumber = calleeNum;
  outboundExecuteVars(ch, target.dirVars, cidNum);
  ch.hitDialplan = true;
  ch.setState('CS_EXECUTE');
  const app = /^&([\w-]+)(?:\((.*)\))?$/s.exec(exten);
  if (!app || app[1] === 'park') {
    d.calls.dialplanPark(ch);
    return;
  }
  d.apps.enqueue(ch, {
    name: app[1]!,
    arg: app[2] || undefined,
    appUuid: d.core.uuid(),
    loops: false,
    after: () => d.calls.hangup(ch, 'NORMAL_CLEARING'),
  });
}
