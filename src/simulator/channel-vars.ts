/**
 * How channel variables appear and move over a call, reproduced from the captures (variables that
 * are set again move to the end of the list, exactly as `switch_channel_set_variable` does).
 * Values that only a real SIP stack would know (tags, SSRC, ports) are synthesised.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Channel } from './channel.js';
import { Q850 } from './channel.js';
import { localStamp, rfc2822 } from './templates.js';

/** SIP-side facts of an inbound call, synthesised once per call. */
export interface InboundSipInfo {
  readonly caller: string;
  readonly callerName: string;
  readonly destination: string;
  /** Address of the simulated SIP peer and of FreeSWITCH's SIP profile. */
  readonly sipIp: string;
  readonly peerPort: number;
  readonly profilePort: number;
  readonly callId: string;
  readonly fromTag: string;
  readonly toTag: string;
  readonly localMediaPort: number;
  readonly remoteMediaPort: number;
  readonly ssrc: string;
}

/** Random SIP tag like FreeSWITCH's (13 alphanumerics). */
export function sipTag(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(13);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return s;
}

function remoteSdp(user: string, ip: string, port: number): string {
  return `v=0\r\no=${user} 53655765 2353687637 IN IP4 ${ip}\r\ns=-\r\nc=IN IP4 ${ip}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n`;
}

function localSdp(ip: string, port: number, ptime: number): string {
  const sess = Math.floor(Date.now() / 1000) - 30000;
  return `v=0\r\no=FreeSWITCH ${sess} ${sess + 1} IN IP4 ${ip}\r\ns=FreeSWITCH\r\nc=IN IP4 ${ip}\r\nt=0 0\r\nm=audio ${port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:${ptime}\r\na=sendrecv\r\n`;
}

/** Variables of a fresh inbound SIP channel (CHANNEL_CREATE). */
export function initInboundVars(ch: Channel, s: InboundSipInfo, extra: Readonly<Record<string, string>>): void {
  const v = ch.vars;
  const from = `${s.caller}@${s.sipIp}:${s.peerPort}`;
  const to = `${s.destination}@${s.sipIp}:${s.profilePort}`;
  v.set('direction', 'inbound');
  v.set('uuid', ch.uuid);
  v.set('call_uuid', ch.uuid);
  v.set('session_id', String(ch.sessionId));
  v.set('sip_from_user', s.caller);
  v.set('sip_from_port', String(s.peerPort));
  v.set('sip_from_uri', from);
  v.set('sip_from_host', s.sipIp);
  v.set('video_media_flow', 'disabled');
  v.set('audio_media_flow', 'disabled');
  v.set('text_media_flow', 'disabled');
  v.set('channel_name', ch.name);
  v.set('sip_call_id', s.callId);
  v.set('sip_local_network_addr', s.sipIp);
  v.set('sip_network_ip', s.sipIp);
  v.set('sip_network_port', String(s.peerPort));
  v.set('sip_invite_stamp', String(ch.createdUs));
  v.set('sip_received_ip', s.sipIp);
  v.set('sip_received_port', String(s.peerPort));
  v.set('sip_via_protocol', 'udp');
  v.set('sip_authorized', 'true');
  v.set('sip_acl_authed_by', 'loopback.auto');
  v.set('sip_from_user_stripped', s.caller);
  v.set('sip_from_tag', s.fromTag);
  v.set('sofia_profile_name', 'internal');
  v.set('sofia_profile_url', `sip:mod_sofia@${s.sipIp}:${s.profilePort}`);
  v.set('recovery_profile_name', 'internal');
  v.set('sip_full_via', `SIP/2.0/UDP ${s.sipIp}:${s.peerPort};branch=z9hG4bK-${s.callId.split('@')[0]}-0`);
  v.set('sip_from_display', s.callerName);
  v.set('sip_full_from', `"${s.callerName}" <sip:${from}>;tag=${s.fromTag}`);
  v.set('sip_full_to', `<sip:${to}>`);
  v.set('sip_req_user', s.destination);
  v.set('sip_req_port', String(s.profilePort));
  v.set('sip_req_uri', to);
  v.set('sip_req_host', s.sipIp);
  v.set('sip_to_user', s.destination);
  v.set('sip_to_port', String(s.profilePort));
  v.set('sip_to_uri', to);
  v.set('sip_to_host', s.sipIp);
  v.set('sip_contact_user', s.caller);
  v.set('sip_contact_port', String(s.peerPort));
  v.set('sip_contact_uri', from);
  v.set('sip_contact_host', s.sipIp);
  v.set('rtp_use_codec_string', 'OPUS,G722,PCMU,PCMA');
  for (const [k, val] of Object.entries(extra)) v.set(k, val);
  v.set('sip_via_host', s.sipIp);
  v.set('sip_via_port', String(s.peerPort));
  v.set('max_forwards', '70');
  v.set('presence_id', `${s.caller}@${s.sipIp}`);
  v.set('switch_r_sdp', remoteSdp('citizen', s.sipIp, s.remoteMediaPort));
  v.set('ep_codec_string', `CORE_PCM_MODULE.PCMA@8000h@${ch.ptimeMs}i@64000b`);
  v.set('endpoint_disposition', 'DELAYED NEGOTIATION');
}

/** What the vanilla `default` context leaves behind before `park` (DP_MATCH, RFC2822_DATE, …). */
export function vanillaDialplanVars(ch: Channel, nowMs: number): { rfcDate: string } {
  ch.vars.set('DP_MATCH', ['DELAYED NEGOTIATION', 'DELAYED NEGOTIATION']);
  ch.vars.set('call_uuid', ch.uuid);
  return { rfcDate: rfc2822(nowMs) };
}

/** Media negotiation on answer/pre-answer of an inbound channel (before CHANNEL_ANSWER). */
export function inboundMediaVars(ch: Channel, s: InboundSipInfo): void {
  const v = ch.vars;
  v.set('rtp_use_codec_string', 'OPUS,G722,PCMU,PCMA');
  v.set('remote_video_media_flow', 'inactive');
  v.set('remote_text_media_flow', 'inactive');
  v.set('remote_audio_media_flow', 'sendrecv');
  v.set('audio_media_flow', 'sendrecv');
  mediaCodecVars(ch, s.sipIp, s.localMediaPort, s.remoteMediaPort, s.ssrc);
  v.set('endpoint_disposition', 'EARLY MEDIA');
  v.set('rtp_local_sdp_str', localSdp(s.sipIp, s.localMediaPort, ch.ptimeMs));
}

function mediaCodecVars(ch: Channel, ip: string, localPort: number, remotePort: number, ssrc: string): void {
  const v = ch.vars;
  v.set('rtp_audio_recv_pt', '8');
  v.set('rtp_use_codec_name', 'PCMA');
  v.set('rtp_use_codec_rate', '8000');
  v.set('rtp_use_codec_ptime', String(ch.ptimeMs));
  v.set('rtp_use_codec_channels', '1');
  v.set('rtp_last_audio_codec_string', `PCMA@8000h@${ch.ptimeMs}i@1c`);
  v.set('read_codec', 'PCMA');
  v.set('original_read_codec', 'PCMA');
  v.set('read_rate', '8000');
  v.set('original_read_rate', '8000');
  v.set('write_codec', 'PCMA');
  v.set('write_rate', '8000');
  v.set('dtmf_type', 'rfc2833');
  v.set('local_media_ip', ip);
  v.set('local_media_port', String(localPort));
  v.set('advertised_media_ip', ip);
  v.set('rtp_use_timer_name', 'soft');
  v.set('rtp_use_pt', '8');
  v.set('rtp_use_ssrc', ssrc);
  v.set('rtp_2833_send_payload', '101');
  v.set('rtp_2833_recv_payload', '101');
  v.set('remote_media_ip', ip);
  v.set('remote_media_port', String(remotePort));
}

/** After the answer application completes (200 OK sent). */
export function inboundAnsweredVars(ch: Channel, s: InboundSipInfo): void {
  ch.vars.set('rtp_local_sdp_str', localSdp(s.sipIp, s.localMediaPort, ch.ptimeMs));
  ch.vars.set('endpoint_disposition', 'ANSWER');
}

/** When the ACK arrives (re-sets the dialog variables). */
export function inboundAckVars(ch: Channel, s: InboundSipInfo): void {
  const v = ch.vars;
  const to = `${s.destination}@${s.sipIp}:${s.profilePort}`;
  v.set('sip_to_tag', s.toTag);
  v.set('sip_from_tag', s.fromTag);
  v.set('sip_cseq', '1');
  v.set('sip_call_id', s.callId);
  v.set('sip_full_via', `SIP/2.0/UDP ${s.sipIp}:${s.peerPort};branch=z9hG4bK-${s.callId.split('@')[0]}-5`);
  v.set('sip_from_display', s.callerName);
  v.set('sip_full_from', `"${s.callerName}" <sip:${s.caller}@${s.sipIp}:${s.peerPort}>;tag=${s.fromTag}`);
  v.set('sip_full_to', `<sip:${to}>;tag=${s.toTag}`);
}

/** SIP-side facts of an outbound (originated) leg to a registered user. */
export interface OutboundSipInfo {
  readonly user: string;
  readonly domain: string;
  readonly contactIp: string;
  readonly contactPort: number;
  readonly profilePort: number;
  readonly callerNumber: string;
  readonly callId: string;
  readonly fromTag: string;
  readonly toTag: string;
  readonly localMediaPort: number;
  readonly remoteMediaPort: number;
  readonly ssrc: string;
}

/** Variables of a new originated leg (CHANNEL_CREATE), including the originate `{vars}`. */
export function initOutboundVars(ch: Channel, s: OutboundSipInfo, originateVars: ReadonlyArray<readonly [string, string]>): void {
  const v = ch.vars;
  v.set('direction', 'outbound');
  v.set('is_outbound', 'true');
  v.set('uuid', ch.uuid);
  v.set('call_uuid', ch.uuid);
  v.set('session_id', String(ch.sessionId));
  v.set('sip_local_network_addr', s.contactIp);
  v.set('sip_profile_name', 'internal');
  v.set('video_media_flow', 'disabled');
  v.set('text_media_flow', 'disabled');
  v.set('channel_name', ch.name);
  v.set('sip_destination_url', `sip:${s.user}@${s.contactIp}:${s.contactPort}`);
  for (const [k, val] of originateVars) v.set(k, val);
  v.set('dialed_user', s.user);
  v.set('dialed_domain', s.domain);
  v.set('sip_invite_domain', s.domain);
  v.set('presence_id', `${s.user}@${s.domain}`);
  v.set('originate_early_media', 'true');
  v.set('originate_endpoint', 'sofia');
  v.set('rtp_use_codec_string', 'OPUS,G722,PCMU,PCMA');
  v.set('local_media_ip', s.contactIp);
  v.set('local_media_port', String(s.localMediaPort));
  v.set('advertised_media_ip', s.contactIp);
  v.set('audio_media_flow', 'sendrecv');
  v.set('rtp_local_sdp_str', localSdp(s.contactIp, s.localMediaPort, ch.ptimeMs));
  v.set('sip_outgoing_contact_uri', `<sip:mod_sofia@${s.contactIp}:${s.profilePort}>`);
  v.set('sip_req_uri', `${s.user}@${s.contactIp}:${s.contactPort}`);
  v.set('sip_to_host', `${s.contactIp}:${s.contactPort}`);
  v.set('sip_from_host', s.domain);
  v.set('sofia_profile_name', 'internal');
  v.set('recovery_profile_name', 'internal');
  v.set('sofia_profile_url', `sip:mod_sofia@${s.contactIp}:${s.profilePort}`);
}

/** Variables set when the originated leg answers (200 OK received). */
export function outboundAnswerVars(ch: Channel, s: OutboundSipInfo): void {
  const v = ch.vars;
  const user = `${s.user}@${s.contactIp}:${s.contactPort}`;
  v.set('sip_local_network_addr', s.contactIp);
  v.set('sip_reply_host', s.contactIp);
  v.set('sip_reply_port', String(s.contactPort));
  v.set('sip_network_ip', s.contactIp);
  v.set('sip_network_port', String(s.contactPort));
  v.set('sip_recover_contact', `<sip:${user};transport=UDP>`);
  v.set('sip_full_via', `SIP/2.0/UDP ${s.contactIp};rport;branch=z9hG4bK${sipTag()}`);
  v.set('sip_recover_via', `SIP/2.0/UDP ${s.contactIp};rport;branch=z9hG4bK${sipTag()}`);
  v.set('sip_full_from', `<sip:${s.callerNumber}@${s.domain}>;tag=${s.fromTag}`);
  v.set('sip_full_to', `<sip:${user}>;tag=${s.toTag}`);
  v.set('sip_from_user', s.callerNumber);
  v.set('sip_from_uri', `${s.callerNumber}@${s.domain}`);
  v.set('sip_from_host', s.domain);
  v.set('sip_to_user', s.user);
  v.set('sip_to_port', String(s.contactPort));
  v.set('sip_to_uri', user);
  v.set('sip_to_host', s.contactIp);
  v.set('sip_contact_params', 'transport=UDP');
  v.set('sip_contact_user', s.user);
  v.set('sip_contact_port', String(s.contactPort));
  v.set('sip_contact_uri', user);
  v.set('sip_contact_host', s.contactIp);
  v.set('sip_to_tag', s.toTag);
  v.set('sip_from_tag', s.fromTag);
  v.set('sip_cseq', String(100000000 + Math.floor(Math.random() * 99999999)));
  v.set('sip_call_id', s.callId);
  v.set('switch_r_sdp', remoteSdp(s.user, s.contactIp, s.remoteMediaPort));
  v.set('ep_codec_string', `CORE_PCM_MODULE.PCMA@8000h@${ch.ptimeMs}i@64000b`);
  v.set('rtp_use_codec_string', 'OPUS,G722,PCMU,PCMA');
  v.set('remote_video_media_flow', 'inactive');
  v.set('remote_text_media_flow', 'inactive');
  v.set('remote_audio_media_flow', 'sendrecv');
  mediaCodecVars(ch, s.contactIp, s.localMediaPort, s.remoteMediaPort, s.ssrc);
}

/** Directory and originate variables applied when the originated leg starts its application. */
export function outboundExecuteVars(ch: Channel, userVars: ReadonlyArray<readonly [string, string]>, callerNumber: string): void {
  const v = ch.vars;
  v.set('endpoint_disposition', 'ANSWER');
  for (const [k, val] of userVars) v.set(k, val);
  for (const k of ['origination_uuid', 'origination_caller_id_number', 'origination_caller_id_name']) {
    const val = v.get(k);
    if (val !== undefined) v.set(k, val);
  }
  v.set('originate_early_media', 'true');
  v.set('originate_endpoint', 'user');
  v.set('pre_transfer_caller_id_number', callerNumber);
  v.set('channel_cid_flipped', 'yes');
  v.set('call_uuid', ch.uuid);
}

/** Variables both legs get when bridged by `uuid_bridge`. */
export function bridgeVars(ch: Channel, other: Channel, nowSec: number): string {
  const v = ch.vars;
  const src = `${nowSec}:${randomUUID()}:uuid_br:${other.uuid}`;
  v.set('bridge_channel', other.name);
  v.set('bridge_uuid', other.uuid);
  v.set('signal_bond', other.uuid);
  v.set('original_destination_number', ch.profile.destinationNumber);
  v.set('original_caller_id_name', ch.profile.callerIdName ?? '');
  v.set('original_caller_id_number', ch.profile.callerIdNumber ?? '');
  v.set('transfer_history', src);
  v.set('transfer_source', src);
  return src;
}

/** Variables set when the bridge media starts. */
export function bridgeStartVars(ch: Channel, other: Channel): void {
  const v = ch.vars;
  v.set('bridge_to', other.uuid);
  v.set('last_bridge_to', other.uuid);
  v.set('bridge_channel', other.name);
  v.set('bridge_uuid', other.uuid);
  v.set('signal_bond', other.uuid);
  v.set('last_sent_callee_id_name', other.profile.callerIdName ?? '');
  v.set('last_sent_callee_id_number', other.profile.callerIdNumber ?? '');
}

/** CDR variables added at CHANNEL_HANGUP_COMPLETE (`switch_ivr_generate_xml_cdr`-style set). */
export function hangupCompleteVars(ch: Channel, endUs: number, disposition: string | undefined): void {
  const v = ch.vars;
  const cause = ch.hangupCause ?? 'NORMAL_CLEARING';
  v.set('hangup_cause', cause);
  v.set('hangup_cause_q850', String(Q850[cause] ?? 16));
  v.set('digits_dialed', ch.digitsDialed || 'none');
  const start = ch.createdUs;
  const profileStart = ch.profile.times.profileCreated;
  const stamp = (us: number) => localStamp(Math.floor(us / 1000));
  v.set('start_stamp', stamp(start));
  v.set('profile_start_stamp', stamp(profileStart));
  if (ch.answeredUs) v.set('answer_stamp', stamp(ch.answeredUs));
  if (ch.bridgedUs) v.set('bridge_stamp', stamp(ch.bridgedUs));
  if (ch.progressUs) v.set('progress_stamp', stamp(ch.progressUs));
  if (ch.progressMediaUs) v.set('progress_media_stamp', stamp(ch.progressMediaUs));
  v.set('end_stamp', stamp(endUs));
  const pair = (name: string, us: number) => {
    v.set(`${name}_epoch`, String(Math.floor(us / 1e6)));
    v.set(`${name}_uepoch`, String(us));
  };
  pair('start', start);
  pair('profile_start', profileStart);
  pair('answer', ch.answeredUs);
  pair('bridge', ch.bridgedUs);
  pair('last_hold', 0);
  v.set('hold_accum_seconds', '0');
  v.set('hold_accum_usec', '0');
  v.set('hold_accum_ms', '0');
  pair('resurrect', 0);
  pair('progress', ch.progressUs);
  pair('progress_media', ch.progressMediaUs);
  pair('end', endUs);
  if (ch.lastApp) {
    v.set('last_app', ch.lastApp.name);
    if (ch.lastApp.arg) v.set('last_arg', ch.lastApp.arg);
  }
  v.set('caller_id', `"${ch.profile.callerIdName ?? ''}" <${ch.profile.callerIdNumber ?? ''}>`);
  const dur = endUs - start;
  const bill = ch.answeredUs ? endUs - ch.answeredUs : 0;
  const prog = ch.progressUs ? ch.progressUs - start : 0;
  const ans = ch.answeredUs ? ch.answeredUs - start : 0;
  const wait = ch.bridgedUs ? ch.bridgedUs - start : ans;
  const pm = ch.progressMediaUs ? ch.progressMediaUs - start : 0;
  const flow = dur;
  const names = ['duration', 'billsec', 'progresssec', 'answersec', 'waitsec', 'progress_mediasec', 'flow_billsec'];
  const values = [dur, bill, prog, ans, wait, pm, flow];
  names.forEach((n, i) => v.set(n, String(Math.floor(values[i]! / 1e6))));
  const msNames = ['mduration', 'billmsec', 'progressmsec', 'answermsec', 'waitmsec', 'progress_mediamsec', 'flow_billmsec'];
  msNames.forEach((n, i) => v.set(n, String(Math.round(values[i]! / 1000))));
  const usNames = ['uduration', 'billusec', 'progressusec', 'answerusec', 'waitusec', 'progress_mediausec', 'flow_billusec'];
  usNames.forEach((n, i) => v.set(n, String(values[i]!)));
  if (disposition && !v.has('sip_hangup_disposition')) v.set('sip_hangup_disposition', disposition);
  if (ch.answeredUs) rtpStatsVars(ch, bill);
}

function rtpStatsVars(ch: Channel, billUs: number): void {
  const v = ch.vars;
  const packets = Math.max(0, Math.round(billUs / 1000 / ch.ptimeMs));
  const bytes = packets * (8 * ch.ptimeMs + 12);
  const set = (k: string, val: string | number) => v.set(`rtp_audio_${k}`, String(val));
  set('in_raw_bytes', bytes);
  set('in_media_bytes', bytes);
  set('in_packet_count', packets);
  set('in_media_packet_count', packets);
  set('in_skip_packet_count', 0);
  set('in_jitter_packet_count', 0);
  set('in_dtmf_packet_count', 0);
  set('in_cng_packet_count', 0);
  set('in_flush_packet_count', 0);
  set('in_largest_jb_size', 0);
  set('in_jitter_min_variance', '0.00');
  set('in_jitter_max_variance', '0.00');
  set('in_jitter_loss_rate', '0.00');
  set('in_jitter_burst_rate', '0.00');
  set('in_mean_interval', ch.ptimeMs.toFixed(2));
  set('in_flaw_total', 0);
  set('in_quality_percentage', '100.00');
  set('in_mos', '4.50');
  set('out_raw_bytes', bytes);
  set('out_media_bytes', bytes);
  set('out_packet_count', packets);
  set('out_media_packet_count', packets);
  set('out_skip_packet_count', 0);
  set('out_dtmf_packet_count', 0);
  set('out_cng_packet_count', 0);
  set('rtcp_packet_count', 0);
  set('rtcp_octet_count', 0);
}
