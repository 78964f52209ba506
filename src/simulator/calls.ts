/**
 * Call control of the simulated switch: inbound calls entering the dialplan and parking, answer,
 * hangup (with the exact event order of the captures, including bridged legs), uuid_bridge,
 * transfer. Originate lives in originate.ts; applications in apps.ts.
 */
import { Channel, type CallState } from './channel.js';
import {
  bridgeStartVars,
  bridgeVars,
  hangupCompleteVars,
  inboundAckVars,
  initInboundVars,
  inboundAnsweredVars,
  inboundMediaVars,
  sipTag,
  vanillaDialplanVars,
  type InboundSipInfo,
} from './channel-vars.js';
import type { SwitchCore } from './core.js';
import { profileTimes, type CallerProfile } from './templates.js';

const CALLSTATE_NUMBER: Readonly<Record<CallState, number>> = { DOWN: 0, RINGING: 2, EARLY: 3, ACTIVE: 4, HANGUP: 7 };

/** Parameters of a new inbound call (see scripts.ts for the script form). */
export interface InboundCallParams {
  readonly uuid?: string;
  readonly caller: string;
  readonly callerName?: string;
  readonly destination: string;
  /** Extra channel variables set at creation (e.g. `sip_h_X-Source`). */
  readonly variables?: Readonly<Record<string, string>>;
  readonly ptimeMs?: number;
}

let peerPortCounter = 5070;

export class CallControl {
  constructor(private readonly core: SwitchCore) {}

  /** Fires CHANNEL_STATE for a running-state change (no variables, like FreeSWITCH). */
  setRunningState(ch: Channel, running: string, number: string = running): void {
    ch.setState(running, number);
    this.core.channelEvent(ch, 'CHANNEL_STATE', { vars: false, profile: running !== 'CS_NEW' });
  }

  /** Changes the call state and fires CHANNEL_CALLSTATE. */
  setCallState(ch: Channel, state: CallState): void {
    if (ch.callState === state) return;
    const prev = ch.callState;
    ch.callState = state;
    this.core.channelEvent(ch, 'CHANNEL_CALLSTATE', {
      vars: false,
      early: [
        ['Original-Channel-Call-State', prev],
        ['Channel-Call-State-Number', String(CALLSTATE_NUMBER[state])],
      ],
    });
  }

  /** Creates an inbound SIP channel to `destination`, runs the dialplan and parks it (unanswered). */
  createInbound(p: InboundCallParams): Channel {
    const core = this.core;
    const cfg = core.config;
    const uuid = p.uuid ?? core.uuid();
    if (core.channels.has(uuid)) throw new Error(`channel ${uuid} already exists`);
    const nowUs = core.nowUs();
    const callerName = p.callerName ?? p.caller;
    peerPortCounter = peerPortCounter >= 5998 ? 5070 : peerPortCounter + 2;
    const sip: InboundSipInfo = {
      caller: p.caller,
      callerName,
      destination: p.destination,
      sipIp: cfg.sipIp,
      peerPort: peerPortCounter,
      profilePort: cfg.profilePort,
      callId: `${Math.floor(Math.random() * 1e6)}-${process.pid}@${cfg.sipIp}`,
      fromTag: sipTag(),
      toTag: sipTag(),
      localMediaPort: 16384 + Math.floor(Math.random() * 16000) * 2,
      remoteMediaPort: 20000 + Math.floor(Math.random() * 10000) * 2,
      ssrc: String(Math.floor(Math.random() * 4e9)),
    };
    const name = `sofia/internal/${p.caller}@${cfg.sipIp}:${sip.peerPort}`;
    const profile: CallerProfile = {
      direction: 'inbound',
      logicalDirection: 'inbound',
      username: p.caller,
      dialplan: 'XML',
      callerIdName: callerName,
      callerIdNumber: p.caller,
      origCallerIdName: callerName,
      origCallerIdNumber: p.caller,
      networkAddr: cfg.sipIp,
      ani: p.caller,
      destinationNumber: p.destination,
      uuid,
      source: 'mod_sofia',
      context: 'default',
      channelName: name,
      profileIndex: '1',
      times: profileTimes(nowUs),
    };
    const ch = new Channel(uuid, 'inbound', name, profile, nowUs, core.allocSessionId());
    ch.ptimeMs = p.ptimeMs ?? cfg.ptimeMs;
    ch.sipIn = sip;
    Object.assign(ch.db, {
      initialCidName: callerName,
      initialCidNum: p.caller,
      initialIpAddr: cfg.sipIp,
      initialDest: p.destination,
      initialDialplan: 'XML',
      initialContext: 'default',
    });
    core.registerChannel(ch);
    ch.setState('CS_NEW', 'CS_NEW');
    core.channelEvent(ch, 'CHANNEL_STATE', { vars: false, profile: false });
    ch.presenceId = `${p.caller}@${cfg.sipIp}`;
    initInboundVars(ch, sip, p.variables ?? {});
    this.setRunningState(ch, 'CS_INIT', 'CS_INIT');
    ch.setState('CS_INIT', 'CS_ROUTING');
    core.channelEvent(ch, 'CHANNEL_CREATE');
    ch.setState('CS_ROUTING', 'CS_ROUTING');
    this.setCallState(ch, 'RINGING');
    this.setRunningState(ch, 'CS_ROUTING', 'CS_EXECUTE');
    this.setRunningState(ch, 'CS_EXECUTE');
    if (cfg.vanillaDialplan) this.vanillaDialplan(ch);
    this.dialplanPark(ch);
    return ch;
  }

  private execPair(ch: Channel, app: string, arg: string | undefined, during?: () => void): void {
    const appUuid = this.core.uuid();
    ch.vars.set('current_application', app);
    ch.vars.set('current_application_data', arg);
    ch.lastApp = { name: app, arg };
    const late = (complete: boolean): Array<[string, string]> => {
      const h: Array<[string, string]> = [['Application', app]];
      if (arg) h.push(['Application-Data', arg]);
      if (complete) h.push(['Application-Response', ch.vars.get('current_application_response') ?? '_none_']);
      h.push(['Application-UUID', appUuid]);
      return h;
    };
    this.core.channelEvent(ch, 'CHANNEL_EXECUTE', { late: late(false) });
    during?.();
    ch.vars.set('current_application_data', arg);
    ch.vars.set('current_application', app);
    this.core.channelEvent(ch, 'CHANNEL_EXECUTE_COMPLETE', { late: late(true) });
  }

  /** The vanilla `default` context's executions before our `park` extension (optional realism). */
  private vanillaDialplan(ch: Channel): void {
    const { rfcDate } = vanillaDialplanVars(ch, this.core.config.wallClock());
    const ip = this.core.config.sipIp;
    const num = ch.profile.callerIdNumber ?? '';
    const warn = 'CRIT WARNING WARNING WARNING WARNING WARNING WARNING WARNING WARNING WARNING ';
    this.execPair(ch, 'log', warn);
    this.execPair(ch, 'log', 'CRIT Open $PREFIX/conf/vars.xml and change the default_password.');
    this.execPair(ch, 'log', "CRIT Once changed type 'reloadxml' at the console.");
    this.execPair(ch, 'log', warn);
    this.execPair(ch, 'hash', `insert/${ip}-spymap/${num}/${ch.uuid}`);
    this.execPair(ch, 'hash', `insert/${ip}-last_dial/${num}/${ch.profile.destinationNumber}`);
    this.execPair(ch, 'hash', `insert/${ip}-last_dial/global/${ch.uuid}`);
    this.execPair(ch, 'export', `RFC2822_DATE=${rfcDate}`, () => {
      ch.vars.set('RFC2822_DATE', rfcDate);
      ch.vars.set('export_vars', 'RFC2822_DATE');
    });
  }

  /** Dialplan `park`: CHANNEL_EXECUTE park + CHANNEL_PARK; completes on bridge/transfer/hangup. */
  dialplanPark(ch: Channel, appUuid: string = this.core.uuid()): void {
    ch.vars.delete('current_application_data');
    ch.vars.set('current_application', 'park');
    ch.lastApp = { name: 'park', arg: undefined };
    ch.parkApp = { uuid: appUuid };
    this.core.channelEvent(ch, 'CHANNEL_EXECUTE', { late: [['Application', 'park'], ['Application-UUID', appUuid]] });
    this.park(ch);
  }

  /** Puts the channel in the parked state and fires CHANNEL_PARK. */
  park(ch: Channel): void {
    ch.parked = true;
    this.core.channelEvent(ch, 'CHANNEL_PARK');
    ch.signal({ type: 'park' });
  }

  /** Completes the running dialplan `park` (uuid_bridge, transfer, hangup). */
  completePark(ch: Channel, response?: string, unpark = true): void {
    const app = ch.parkApp;
    if (!app) return;
    ch.parkApp = undefined;
    if (unpark && ch.parked && !ch.hangingUp) this.core.channelEvent(ch, 'CHANNEL_UNPARK');
    ch.parked = false;
    this.core.channelEvent(ch, 'CHANNEL_EXECUTE_COMPLETE', {
      late: [
        ['Application', 'park'],
        ['Application-Response', response ?? ch.vars.get('current_application_response') ?? '_none_'],
        ['Application-UUID', app.uuid],
      ],
    });
  }

  /** Pre-answers (early media): codec up, CHANNEL_PROGRESS_MEDIA, call state EARLY. No-op if media is up. */
  preAnswer(ch: Channel): void {
    if (ch.mediaUp || !ch.alive) return;
    const now = this.core.nowUs();
    if (ch.sipIn) inboundMediaVars(ch, ch.sipIn);
    ch.mediaUp = true;
    ch.progressMediaUs = now;
    ch.profile.times.progressMedia = now;
    ch.answerState = 'early';
    this.core.channelEvent(ch, 'CHANNEL_PROGRESS_MEDIA');
    this.setCallState(ch, 'EARLY');
  }

  /**
   * Answers an inbound channel: CHANNEL_ANSWER (call state still EARLY, as captured), then ACTIVE.
   * `fromApp` = the answer application is running (its COMPLETE carries the answered variables).
   */
  answer(ch: Channel, fromApp = false): void {
    if (ch.answered || !ch.alive) return;
    this.preAnswer(ch);
    const now = this.core.nowUs();
    ch.answeredUs = now;
    ch.profile.times.answered = now;
    ch.answerState = 'answered';
    this.core.channelEvent(ch, 'CHANNEL_ANSWER');
    this.setCallState(ch, 'ACTIVE');
    const sip = ch.sipIn;
    if (sip) {
      inboundAnsweredVars(ch, sip);
      const ack = () => {
        if (ch.alive) inboundAckVars(ch, sip);
      };
      if (fromApp) this.core.clock.after(0, ack);
      else ack();
    }
    ch.signal({ type: 'answer' });
  }

  /** True when the remaining leg of a bridge should be parked instead of hung up. */
  private survivesBridge(ch: Channel): boolean {
    return ch.vars.get('park_after_bridge') === 'true' || ch.vars.get('hangup_after_bridge') === 'false';
  }

  /**
   * Hangs a channel up with the capture's event order: CHANNEL_HANGUP, completion of the running
   * application and of `park`, media bugs stopped, bridge partner handled (UNBRIDGE on the A leg,
   * partner hung up unless `park_after_bridge=true`/`hangup_after_bridge=false`),
   * CHANNEL_HANGUP_COMPLETE, CHANNEL_DESTROY.
   * @param byRemote the far end sent BYE/CANCEL/an error (disposition recv_*), else we hung up.
   */
  hangup(ch: Channel, cause = 'NORMAL_CLEARING', byRemote = false): void {
    if (!ch.alive) return;
    const partner = ch.partner;
    this.hangupStart(ch, cause, byRemote);
    if (!partner) {
      this.hangupFinish(ch);
      return;
    }
    this.unlink(ch, partner);
    const partnerDies = !this.survivesBridge(partner);
    if (ch.bridgeA) {
      if (partnerDies) {
        this.partnerHangupVars(partner, cause);
        this.hangupStart(partner, 'NORMAL_CLEARING', false);
      }
      this.unbridgeEvent(ch, partner);
      if (partnerDies) this.hangupComplete(partner);
      this.hangupComplete(ch);
      this.destroy(ch);
      if (partnerDies) this.destroy(partner);
      else this.afterBridgeSurvivor(partner);
    } else {
      this.hangupComplete(ch);
      this.unbridgeEvent(partner, ch);
      if (partnerDies) {
        this.partnerHangupVars(partner, cause);
        this.hangupStart(partner, 'NORMAL_CLEARING', false);
        this.destroy(ch);
        this.hangupComplete(partner);
        this.destroy(partner);
      } else {
        this.destroy(ch);
        this.afterBridgeSurvivor(partner);
      }
    }
  }

  private partnerHangupVars(partner: Channel, cause: string): void {
    partner.vars.set('sip_hangup_phrase', 'OK');
    partner.vars.set('last_bridge_hangup_cause', cause);
    partner.vars.set('last_bridge_proto_specific_hangup_cause', 'sip:200');
    partner.vars.set('bridge_hangup_cause', cause);
  }

  private afterBridgeSurvivor(ch: Channel): void {
    ch.setState('CS_EXECUTE', 'CS_PARK');
    this.park(ch);
  }

  private unlink(a: Channel, b: Channel): void {
    a.partner = undefined;
    b.partner = undefined;
    b.vars.delete('bridge_to');
    a.vars.delete('bridge_to');
    a.signal({ type: 'unbridge', otherUuid: b.uuid });
    b.signal({ type: 'unbridge', otherUuid: a.uuid });
  }

  private unbridgeEvent(aLeg: Channel, bLeg: Channel): void {
    const [A, B] = aLeg.bridgeA ? [aLeg, bLeg] : [bLeg, aLeg];
    if (A.hangingUp && A.destroyed) return;
    const prev = [A.runningState, A.stateNumber] as const;
    if (!A.hangingUp) A.setState('CS_SOFT_EXECUTE');
    this.core.channelEvent(A, 'CHANNEL_UNBRIDGE', {
      early: [
        ['Bridge-A-Unique-ID', A.uuid],
        ['Bridge-B-Unique-ID', B.uuid],
      ],
    });
    if (A.hangingUp) [A.runningState, A.stateNumber] = prev;
  }

  /** Breaks an existing bridge (transfer of one leg); the other leg follows bridge rules. */
  breakBridge(ch: Channel): void {
    const partner = ch.partner;
    if (!partner) return;
    this.unlink(ch, partner);
    this.unbridgeEvent(ch, partner);
    if (this.survivesBridge(partner)) this.afterBridgeSurvivor(partner);
    else this.hangup(partner, 'NORMAL_CLEARING');
  }

  private hangupStart(ch: Channel, cause: string, byRemote: boolean): void {
    const now = this.core.nowUs();
    ch.hangingUp = true;
    ch.hangupCause = cause;
    ch.hangupUs = now;
    ch.profile.times.hangup = now;
    if (byRemote) {
      if (ch.answered) {
        ch.vars.set('sip_term_status', '200');
        ch.vars.set('proto_specific_hangup_cause', 'sip:200');
        ch.vars.set('sip_term_cause', '16');
        if (ch.other) ch.vars.set('last_bridge_role', ch.bridgeA ? 'originator' : 'originatee');
      }
      ch.vars.set('sip_hangup_disposition', ch.answered ? 'recv_bye' : ch.direction === 'outbound' ? 'recv_refuse' : 'recv_cancel');
    } else {
      ch.disposition = ch.answered ? 'send_bye' : ch.direction === 'outbound' ? 'send_cancel' : 'send_refuse';
    }
    ch.setState(ch.runningState, 'CS_HANGUP');
    ch.answerState = 'hangup';
    this.core.channelEvent(ch, 'CHANNEL_HANGUP');
    ch.signal({ type: 'hangup', cause });
    // End what is running: the prompt, the application, the dialplan park, the media bugs.
    const pb = ch.playback;
    if (pb) {
      ch.playback = undefined;
      pb.done(false);
    }
    const running = ch.running;
    if (running) {
      running.completedByHangup = true;
      running.hangup.abort();
      const { req } = running;
      ch.running = undefined;
      if (req.name === 'playback' && !ch.vars.has('current_application_response')) {
        ch.vars.set('current_application_response', 'PLAYBACK ERROR');
      }
      const late: Array<[string, string]> = [['Application', req.name]];
      if (req.arg) late.push(['Application-Data', req.arg]);
      late.push(['Application-Response', ch.vars.get('current_application_response') ?? '_none_']);
      if (!req.noAppUuid) late.push(['Application-UUID', req.appUuid]);
      this.core.channelEvent(ch, 'CHANNEL_EXECUTE_COMPLETE', { late });
    }
    ch.queue.length = 0;
    this.completePark(ch, undefined, false);
    for (const bug of [...ch.bugs].reverse()) bug.stop('hangup');
    ch.bugs.length = 0;
  }

  private hangupComplete(ch: Channel): void {
    this.setRunningState(ch, 'CS_HANGUP');
    this.setCallState(ch, 'HANGUP');
    this.setRunningState(ch, 'CS_REPORTING');
    const now = this.core.nowUs();
    hangupCompleteVars(ch, now, ch.disposition);
    ch.setState('CS_REPORTING', 'CS_REPORTING');
    this.core.channelEvent(ch, 'CHANNEL_HANGUP_COMPLETE', { early: [['Hangup-Cause', ch.hangupCause ?? 'NORMAL_CLEARING']] });
  }

  private hangupFinish(ch: Channel): void {
    this.hangupComplete(ch);
    this.destroy(ch);
  }

  private destroy(ch: Channel): void {
    if (ch.destroyed) return;
    ch.setState('CS_REPORTING', 'CS_DESTROY');
    this.core.channelEvent(ch, 'CHANNEL_DESTROY');
    ch.setState('CS_DESTROY');
    this.core.channelEvent(ch, 'CHANNEL_STATE', { vars: false });
    ch.destroyed = true;
    this.core.unregisterChannel(ch);
    ch.signals.emit('destroyed');
  }

  /**
   * `uuid_bridge a b`: completes `park` on both legs (B first), CHANNEL_EXECUTE uuid_bridge on both,
   * one CHANNEL_BRIDGE on A with the Other-Leg block. Unanswered legs are answered first.
   */
  bridge(a: Channel, b: Channel): void {
    if (!a.alive || !b.alive) return;
    if (a.partner && a.partner !== b) this.breakBridge(a);
    if (b.partner && b.partner !== a) this.breakBridge(b);
    for (const leg of [a, b]) {
      if (!leg.answered) this.answer(leg);
      const pb = leg.playback;
      if (pb) {
        leg.playback = undefined;
        pb.done(true);
      }
    }
    const now = this.core.nowUs();
    const nowSec = Math.floor(now / 1e6);
    a.partner = b;
    b.partner = a;
    a.bridgeA = true;
    b.bridgeA = false;
    a.other = { type: 'originatee', profile: snapshot(b.profile), zeroTimes: false };
    b.other = { type: 'originator', profile: snapshot(a.profile), zeroTimes: true };
    const srcA = bridgeVars(a, b, nowSec);
    const srcB = bridgeVars(b, a, nowSec);
    for (const [leg, src] of [[a, srcA], [b, srcB]] as const) {
      leg.profile.profileIndex = '2';
      leg.profile.transferSource = src;
      leg.profile.times.profileCreated = now;
    }
    b.profile.callerIdName = a.profile.callerIdName;
    b.profile.callerIdNumber = a.profile.callerIdNumber;
    b.profile.calleeIdName = undefined;
    a.profile.calleeIdNumber = b.profile.origCallerIdNumber ?? b.profile.calleeIdNumber;
    b.callUuid = a.uuid;
    for (const leg of [b, a]) {
      if (leg.running) {
        leg.running.breakPlayback.abort();
      }
      if (leg.parkApp) {
        leg.setState('CS_EXECUTE', 'CS_HIBERNATE');
        this.completePark(leg, '_none_');
      }
    }
    for (const [leg, other] of [[a, b], [b, a]] as const) {
      leg.setState('CS_SOFT_EXECUTE');
      leg.lastApp = { name: 'uuid_bridge', arg: other.uuid };
      leg.vars.set('current_application', 'uuid_bridge');
      this.core.channelEvent(leg, 'CHANNEL_EXECUTE', {
        late: [
          ['Application', 'uuid_bridge'],
          ['Application-Data', other.uuid],
        ],
      });
    }
    a.bridgedUs = now;
    b.bridgedUs = now;
    a.profile.times.bridged = now;
    b.profile.times.bridged = now;
    bridgeStartVars(a, b);
    bridgeStartVars(b, a);
    const calleeNum = a.profile.calleeIdNumber ?? '';
    Object.assign(a.db, { calleeNum, calleeDirection: 'SEND', callUuid: a.uuid, sentCalleeName: calleeNum, sentCalleeNum: calleeNum });
    Object.assign(b.db, {
      calleeNum,
      calleeDirection: 'SEND',
      callUuid: a.uuid,
      sentCalleeName: a.profile.callerIdName ?? '',
      sentCalleeNum: a.profile.callerIdNumber ?? '',
    });
    this.core.channelEvent(a, 'CHANNEL_BRIDGE', {
      early: [
        ['Bridge-A-Unique-ID', a.uuid],
        ['Bridge-B-Unique-ID', b.uuid],
      ],
    });
    b.setState('CS_EXCHANGE_MEDIA');
    this.core.touchRow(b);
    a.signal({ type: 'bridge', otherUuid: b.uuid });
    b.signal({ type: 'bridge', otherUuid: a.uuid });
  }

  /**
   * `uuid_transfer`: leaves park/bridge. A destination in `parkDestinations` parks the channel again;
   * anything else counts as leaving the switch (e.g. an external number): the leg hangs up
   * NORMAL_CLEARING after `transferHangupAfterMs`.
   */
  transfer(ch: Channel, dest: string, dialplan: string, context: string, parkDestinations: ReadonlySet<string>): void {
    if (!ch.alive) return;
    ch.signal({ type: 'transfer', dest, dialplan, context });
    ch.profile.times.transfer = this.core.nowUs();
    if (ch.partner) this.breakBridge(ch);
    if (ch.running) ch.running.breakPlayback.abort();
    this.completePark(ch, undefined);
    ch.profile.destinationNumber = dest;
    ch.profile.dialplan = dialplan;
    ch.profile.context = context;
    ch.hitDialplan = true;
    if (parkDestinations.has(dest)) {
      ch.setState('CS_EXECUTE');
      this.dialplanPark(ch);
      return;
    }
    ch.lastApp = { name: 'bridge', arg: `sofia/external/${dest}` };
    this.core.clock.after(this.core.config.transferHangupAfterMs, () => this.hangup(ch, 'NORMAL_CLEARING'));
  }

  /** Sends the caller's DTMF into the channel: DTMF event, then any waiting collector. */
  dtmf(ch: Channel, digit: string): void {
    if (!ch.alive) return;
    this.core.channelEvent(ch, 'DTMF', {
      vars: false,
      late: [
        ['DTMF-Digit', digit],
        ['DTMF-Duration', '1280'],
        ['DTMF-Source', 'RTP'],
      ],
    });
    ch.digitsDialed += digit;
    ch.signal({ type: 'dtmf', digit });
    const waiter = ch.dtmfWaiter;
    if (waiter) waiter(digit);
    else if (!ch.playback) ch.dtmfBuffer.push(digit);
  }
}

function snapshot(p: CallerProfile): CallerProfile {
  return { ...p, times: { ...p.times } };
}

