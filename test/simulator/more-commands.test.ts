import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClip, startFreeSwitchSimulator, type FreeSwitchSimulator } from '../../src/simulator/index.js';
import { EslClient, tempDir, toneWav } from './helpers.js';

let sim: FreeSwitchSimulator;
let dir: string;
beforeAll(async () => {
  dir = tempDir();
  sim = await startFreeSwitchSimulator({ eslPort: 0, speed: 50, agents: [{ user: '1000', answerAfterMs: 200 }, { user: '1001', answerAfterMs: 200, hangupAfterMs: 1000 }] });
});
afterAll(async () => {
  await sim.close();
});

describe('sendmsg forms and filters', () => {
  it('execute-app-arg in a text/plain body; call-command hangup with a cause', async () => {
    const c = await EslClient.ready(sim.eslPort, 'json CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP_COMPLETE');
    const call = sim.placeCall({});
    const body = 'greeting=你好 world';
    const reply = await c.command(
      `sendmsg ${call.uuid}`,
      `call-command: execute\nexecute-app-name: set\nevent-lock: true\nEvent-UUID: body-1\ncontent-type: text/plain\ncontent-length: ${Buffer.byteLength(body)}\n\n${body}`,
    );
    expect(reply.header('Reply-Text')).toBe('+OK');
    const done = await c.event((e) => e['Application-UUID'] === 'body-1');
    expect(done['variable_greeting']).toBe('你好 world');
    expect((await c.command(`sendmsg ${call.uuid}`, 'call-command: hangup\nhangup-cause: USER_BUSY\n')).header('Reply-Text')).toBe('+OK');
    const hc = await c.event((e) => e['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && e['Unique-ID'] === call.uuid);
    expect(hc['Hangup-Cause']).toBe('USER_BUSY');
    expect(hc['variable_sip_hangup_disposition']).toBe('send_refuse');
    c.close();
  });

  it('filter Unique-ID drops events without that header (BACKGROUND_JOB) and other channels; myevents', async () => {
    const c = await EslClient.ready(sim.eslPort, 'json ALL');
    const a = sim.placeCall({});
    const b = sim.placeCall({});
    expect((await c.command(`filter Unique-ID ${a.uuid}`)).header('Reply-Text')).toBe(`+OK filter added. [Unique-ID]=[${a.uuid}]`);
    const mark = c.messages.length;
    await c.command('bgapi status');
    await c.api(`uuid_kill ${b.uuid}`);
    await c.api(`uuid_kill ${a.uuid}`);
    await c.next((m) => m.header('Content-Type') === 'text/event-json' && m.json()['Event-Name'] === 'CHANNEL_DESTROY');
    const evs = c.messages.slice(mark).filter((m) => m.header('Content-Type') === 'text/event-json').map((m) => m.json());
    expect(evs.every((e) => e['Unique-ID'] === a.uuid)).toBe(true);
    expect(evs.some((e) => e['Event-Name'] === 'BACKGROUND_JOB')).toBe(false);
    c.close();

    const m = await EslClient.ready(sim.eslPort);
    const x = sim.placeCall({});
    const y = sim.placeCall({});
    expect((await m.command(`myevents json ${x.uuid}`)).header('Reply-Text')).toBe('+OK Events Enabled');
    await m.api(`uuid_kill ${y.uuid}`);
    await m.api(`uuid_kill ${x.uuid}`);
    await m.next((msg) => msg.header('Content-Type') === 'text/event-json' && msg.json()['Event-Name'] === 'CHANNEL_DESTROY');
    expect(m.events().every((e) => e['Unique-ID'] === x.uuid)).toBe(true);
    m.close();
  });
});

describe('supervisor and IVR helpers', () => {
  it('originate &eavesdrop(uuid): MEDIA_BUG_START/STOP on the caller leg, COMPLETE eavesdrop when the supervisor hangs up', async () => {
    const c = await EslClient.ready(sim.eslPort, 'json MEDIA_BUG_START MEDIA_BUG_STOP CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP');
    const call = sim.placeCall({});
    await c.execute(call.uuid, 'answer', undefined, 'ea');
    const sup = 'e4c00c6c-41af-470e-a6be-dfce91b68684';
    const job = (await c.command(`bgapi originate {origination_uuid=${sup},origination_caller_id_number=12345,origination_caller_id_name=Supervisor}user/1001 &eavesdrop(${call.uuid})`)).header('Job-UUID');
    expect(job).toBeTruthy();
    const start = await c.event((e) => e['Event-Name'] === 'MEDIA_BUG_START');
    expect(start).toMatchObject({ 'Unique-ID': call.uuid, 'Media-Bug-Function': 'eavesdrop', 'Media-Bug-Target': call.uuid });
    const done = await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application'] === 'eavesdrop');
    expect(done['Unique-ID']).toBe(sup);
    const order = c.events().filter((e) => ['MEDIA_BUG_STOP', 'CHANNEL_HANGUP'].includes(String(e['Event-Name'])) || e['Application'] === 'eavesdrop');
    expect(order.map((e) => `${e['Event-Name']}@${e['Unique-ID'] === sup ? 'sup' : 'caller'}`)).toEqual([
      'CHANNEL_EXECUTE@sup',
      'CHANNEL_HANGUP@sup',
      'MEDIA_BUG_STOP@caller',
      'CHANNEL_EXECUTE_COMPLETE@sup',
    ]);
    call.hangup();
    await call.ended;
    c.close();
  });

  it('uuid_broadcast plays on the leg; uuid_recv_dtmf feeds play_and_get_digits; .raw files load as 16 kHz', async () => {
    const prompt = toneWav(dir, 'b.wav', 600, 400, 8000);
    const raw = join(dir, 'a.raw');
    writeFileSync(raw, Buffer.alloc(32000));
    expect(loadClip(raw).durationMs).toBe(1000);
    const c = await EslClient.ready(sim.eslPort, 'json CHANNEL_EXECUTE_COMPLETE DTMF');
    const call = sim.placeCall({});
    expect(await c.api(`uuid_broadcast ${call.uuid} ${prompt} aleg`)).toBe('+OK Message sent\n');
    const pb = await c.event((e) => e['Application'] === 'playback');
    expect(pb['Application-Response']).toBe('FILE PLAYED');
    const prompting = call.waitFor('playbackStart');
    await c.execute(call.uuid, 'play_and_get_digits', `2 4 1 3000 # ${prompt} silence_stream://100 acct ^\\d+$ 1000`, 'pg');
    await prompting;
    expect(await c.api(`uuid_recv_dtmf ${call.uuid} 12#`)).toBe('');
    const done = await c.event((e) => e['Application-UUID'] === 'pg' && e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE');
    expect(done['variable_acct']).toBe('12');
    expect(done['variable_read_result']).toBe('success');
    expect(done['variable_read_terminator_used']).toBe('#');
    expect(c.events().filter((e) => e['Event-Name'] === 'DTMF').map((e) => e['DTMF-Digit'])).toEqual(['1', '2', '#']);
    call.hangup();
    await call.ended;
    c.close();
  });
});
