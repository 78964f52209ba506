import type { ChannelEvent } from '../domain/telephony-port.js';
import type { EslEvent } from './esl/event.js';

/**
 * The one table that maps FreeSWITCH wire events to domain channel events.
 * Returns `[channelUuid, event]` pairs: a bridge event concerns both legs.
 * Header names per FreeSWITCH 1.10 (see shared/fixtures/freeswitch/README.md).
 */
export function mapEslEvent(event: EslEvent): Array<[string, ChannelEvent]> {
  const h = event.headers;
  const uuid = event.uniqueId;
  const key = event.name === 'CUSTOM' ? `CUSTOM ${event.subclass ?? ''}` : event.name;
  switch (key) {
    case 'CHANNEL_ANSWER':
      return uuid ? [[uuid, { type: 'answered' }]] : [];
    case 'DTMF':
      return uuid && h['DTMF-Digit'] ? [[uuid, { type: 'dtmf', digit: h['DTMF-Digit'] }]] : [];
    case 'CHANNEL_BRIDGE': {
      const a = h['Bridge-A-Unique-ID'] ?? uuid;
      const b = h['Bridge-B-Unique-ID'] ?? h['Other-Leg-Unique-ID'];
      if (!a || !b) return [];
      return [[a, { type: 'bridged', otherUuid: b }], [b, { type: 'bridged', otherUuid: a }]];
    }
    case 'CHANNEL_UNBRIDGE': {
      const a = h['Bridge-A-Unique-ID'] ?? uuid;
      const b = h['Bridge-B-Unique-ID'] ?? h['Other-Leg-Unique-ID'];
      const out: Array<[string, ChannelEvent]> = [];
      if (a) out.push([a, { type: 'unbridged', otherUuid: b }]);
      if (b) out.push([b, { type: 'unbridged', otherUuid: a }]);
      return out;
    }
    case 'CHANNEL_HANGUP':
      return uuid ? [[uuid, { type: 'hangup', cause: h['Hangup-Cause'] ?? 'NORMAL_CLEARING' }]] : [];
    case 'CUSTOM mod_audio_fork::connect':
    case 'CUSTOM mod_audio_stream::connect':
      return uuid ? [[uuid, { type: 'audioStreamConnected' }]] : [];
    case 'CUSTOM mod_audio_fork::connect_failed':
    case 'CUSTOM mod_audio_stream::error':
      return uuid ? [[uuid, { type: 'audioStreamFailed', reason: reasonOf(event.body) }]] : [];
    default:
      return [];
  }
}

function reasonOf(body: string | undefined): string {
  if (!body) return 'unknown';
  try {
    const parsed = JSON.parse(body) as { reason?: unknown };
    return typeof parsed.reason === 'string' ? parsed.reason : body;
  } catch {
    return body;
  }
}

/** Events the adapter subscribes to (`event json …`). */
export const SUBSCRIBED_EVENTS: readonly string[] = [
  'CHANNEL_PARK', 'CHANNEL_ANSWER', 'CHANNEL_EXECUTE_COMPLETE', 'DTMF', 'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE', 'CHANNEL_HANGUP', 'CHANNEL_DESTROY', 'BACKGROUND_JOB',
  'CUSTOM', 'mod_audio_fork::connect', 'mod_audio_fork::connect_failed', 'mod_audio_fork::disconnect',
  'mod_audio_stream::connect', 'mod_audio_stream::error', 'mod_audio_stream::disconnect',
];
