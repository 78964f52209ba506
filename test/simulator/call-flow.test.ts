import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFreeSwitchSimulator, type FreeSwitchSimulator } from '../../src/simulator/index.js';
import { EslClient, tempDir, toneWav } from './helpers.js';

const EVENTS =
  'json CHANNEL_CREATE CHANNEL_PARK CHANNEL_ANSWER CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE DTMF PLAYBACK_START PLAYBACK_STOP CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY BACKGROUND_JOB CHANNEL_BRIDGE CHANNEL_UNBRIDGE CUSTOM mod_audio_fork::connect mod_audio_fork::disconnect mod_audio_fork::error';

let sim: FreeSwitchSimulator;
let dir: string;
let welcome: string;
let menu: string;

beforeAll(async () => {
  dir = tempDir();
  welcome = toneWav(dir, 'welcome.wav', 500, 1200, 8000);
  menu = toneWav(dir, 'menu.wav', 700, 600, 8000);
  sim = await startFreeSwitchSimulator({ eslPort: 0, speed: 20 });
});
afterAll(async () => {
  await sim.close();
});

describe('inbound call: park, answer, playback, play_and_get_digits', () => {
  it('parks unanswered, answers via sendmsg with Event-UUID correlation, collects a scripted digit', async () => {
    const c = await EslClient.ready(sim.eslPort, EVENTS);
    const call = sim.placeCall({
      caller: '13800138000',
      actions: [{ on: 'playbackStop', match: 'menu', delayMs: 500, do: { dtmf: '5' } }],
    });
    const park = await c.event((e) => e['Event-Name'] === 'CHANNEL_PARK' && e['Unique-ID'] === call.uuid);
    expect(park['Answer-State']).toBe('ringing');
    expect(park['Channel-Call-State']).toBe('RINGING');
    expect(park['Caller-Caller-ID-Number']).toBe('13800138000');
    expect(park['Caller-Destination-Number']).toBe('12345');
    const names = c.events().filter((e) => e['Unique-ID'] === call.uuid).map((e) => `${e['Event-Name']}${e['Application'] ? ':' + e['Application'] : ''}`);
    expect(names).toEqual(['CHANNEL_CREATE', 'CHANNEL_EXECUTE:park', 'CHANNEL_PARK']);

    expect(await c.execute(call.uuid, 'answer', undefined, 'e-answer')).toBe('+OK');
    const done = await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application-UUID'] === 'e-answer');
    expect(done['Application-Response']).toBe('_none_');
    expect(done['Channel-Call-State']).toBe('ACTIVE');
    const answer = await c.event((e) => e['Event-Name'] === 'CHANNEL_ANSWER');
    expect(answer['Channel-Call-State']).toBe('EARLY');
    expect(answer['Answer-State']).toBe('answered');

    expect(await c.execute(call.uuid, 'play_and_get_digits', `1 1 1 7000 # ${menu} silence_stream://250 digits \\d`, 'e-pagd')).toBe('+OK');
    // Queued: the playback runs after play_and_get_digits finished.
    expect(await c.execute(call.uuid, 'playback', welcome, 'e-play')).toBe('+OK');
    const pagd = await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application-UUID'] === 'e-pagd');
    expect(pagd['variable_digits']).toBe('5');
    expect(pagd['variable_read_result']).toBe('success');
    expect(pagd['Application-Response']).toBe('_none_');
    const played = await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application-UUID'] === 'e-play');
    expect(played['Application-Response']).toBe('FILE PLAYED');
    expect(played['variable_playback_ms']).toBe('1200');

    const seq = c
      .events()
      .filter((e) => e['Unique-ID'] === call.uuid)
      .map((e) => `${e['Event-Name']}${e['Application'] ? ':' + e['Application'] : ''}`);
    expect(seq).toEqual([
      'CHANNEL_CREATE',
      'CHANNEL_EXECUTE:park',
      'CHANNEL_PARK',
      'CHANNEL_EXECUTE:answer',
      'CHANNEL_ANSWER',
      'CHANNEL_EXECUTE_COMPLETE:answer',
      'CHANNEL_EXECUTE:play_and_get_digits',
      'PLAYBACK_START',
      'PLAYBACK_STOP',
      'DTMF',
      'CHANNEL_EXECUTE_COMPLETE:play_and_get_digits',
      'CHANNEL_EXECUTE:playback',
      'PLAYBACK_START',
      'PLAYBACK_STOP',
      'CHANNEL_EXECUTE_COMPLETE:playback',
    ]);
    // Sequence numbers increase.
    const seqs = c.events().map((e) => Number(e['Event-Sequence']));
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);

    expect(await c.api(`uuid_kill ${call.uuid}`)).toBe('+OK\n');
    const result = await call.ended;
    expect(result.hangupCause).toBe('NORMAL_CLEARING');
    expect(result.log.digitsSent).toEqual(['5']);
    expect(result.log.prompts.map((p) => p.file)).toEqual([menu, welcome]);
    await c.event((e) => e['Event-Name'] === 'CHANNEL_DESTROY' && e['Unique-ID'] === call.uuid);
    const tail = c
      .events()
      .filter((e) => e['Unique-ID'] === call.uuid)
      .slice(-4)
      .map((e) => `${e['Event-Name']}${e['Application'] ? ':' + e['Application'] : ''}`);
    expect(tail).toEqual(['CHANNEL_HANGUP', 'CHANNEL_EXECUTE_COMPLETE:park', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY']);
    const parkDone = c.events().find((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application'] === 'park')!;
    expect(parkDone['Application-Response']).toBe('FILE PLAYED'); // the stale response, as captured
    const hc = c.events().find((e) => e['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE')!;
    expect(hc['variable_sip_hangup_disposition']).toBe('send_bye');
    c.close();
  });

  it('play_and_get_digits without input: read_result failure after all tries; invalid prompt replayed', async () => {
    const c = await EslClient.ready(sim.eslPort, EVENTS);
    const call = sim.placeCall({});
    await c.event((e) => e['Event-Name'] === 'CHANNEL_PARK' && e['Unique-ID'] === call.uuid);
    await c.execute(call.uuid, 'answer', undefined, 'a1');
    await c.execute(call.uuid, 'play_and_get_digits', `1 1 2 1000 # ${menu} silence_stream://250 choice \\d`, 'p1');
    const done = await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application-UUID'] === 'p1');
    expect(done['variable_read_result']).toBe('failure');
    expect('variable_choice' in done).toBe(false);
    expect(call.log.prompts.map((p) => p.file)).toEqual([menu, 'silence_stream://250', menu, 'silence_stream://250']);
    await c.api(`uuid_kill ${call.uuid}`);
    await call.ended;
    c.close();
  });

  it('missing file: FILE NOT FOUND without PLAYBACK events; uuid_break stops a prompt', async () => {
    const c = await EslClient.ready(sim.eslPort, EVENTS);
    const call = sim.placeCall({ caller: '13900000000' });
    await c.event((e) => e['Event-Name'] === 'CHANNEL_PARK' && e['Unique-ID'] === call.uuid);
    await c.execute(call.uuid, 'playback', '/nonexistent/prompt.wav', 'nf');
    const nf = await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application-UUID'] === 'nf');
    expect(nf['Application-Response']).toBe('FILE NOT FOUND');
    expect(c.events().some((e) => e['Event-Name'] === 'PLAYBACK_START' && e['Unique-ID'] === call.uuid)).toBe(false);

    await c.execute(call.uuid, 'playback', welcome, 'long');
    await c.event((e) => e['Event-Name'] === 'PLAYBACK_START' && e['Unique-ID'] === call.uuid);
    expect(await c.api(`uuid_break ${call.uuid}`)).toBe('+OK\n');
    const stop = await c.event((e) => e['Event-Name'] === 'PLAYBACK_STOP' && e['Unique-ID'] === call.uuid);
    expect(stop['Playback-Status']).toBe('break');
    const done = await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application-UUID'] === 'long');
    expect(done['Application-Response']).toBe('FILE PLAYED');

    // A hangup during a prompt: CHANNEL_HANGUP, PLAYBACK_STOP, EXECUTE_COMPLETE playback, park, HANGUP_COMPLETE.
    await c.execute(call.uuid, 'playback', welcome, 'cut');
    await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE' && e['Application-UUID'] === 'cut');
    call.hangup();
    await call.ended;
    await c.event((e) => e['Event-Name'] === 'CHANNEL_DESTROY' && e['Unique-ID'] === call.uuid);
    const tail = c
      .events()
      .filter((e) => e['Unique-ID'] === call.uuid)
      .slice(-6)
      .map((e) => `${e['Event-Name']}${e['Application'] ? ':' + e['Application'] : ''}`);
    expect(tail).toEqual([
      'CHANNEL_HANGUP',
      'PLAYBACK_STOP',
      'CHANNEL_EXECUTE_COMPLETE:playback',
      'CHANNEL_EXECUTE_COMPLETE:park',
      'CHANNEL_HANGUP_COMPLETE',
      'CHANNEL_DESTROY',
    ]);
    c.close();
  });
});
