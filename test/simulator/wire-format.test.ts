import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsUrlEncode, serializeJson, serializePlain, serializeXml, startFreeSwitchSimulator, type FreeSwitchSimulator } from '../../src/simulator/index.js';
import { EslClient, FIXTURES, jsonKeys, jsonPairs, startMediaServer, tempDir, toneWav } from './helpers.js';

/** Splits a raw ESL message file into envelope text and body. */
function fixtureMessage(name: string): { envelope: string; body: string } {
  const raw = readFileSync(join(FIXTURES, name), 'utf8');
  const i = raw.indexOf('\n\n');
  return { envelope: raw.slice(0, i + 2), body: raw.slice(i + 2) };
}

/** Headers (+ body) of a fixture JSON event. */
function fixtureContent(name: string): { headers: Array<[string, string | string[]]>; body: string | undefined } {
  const { body } = fixtureMessage(name);
  const pairs = jsonPairs(body);
  const parsed = JSON.parse(body) as Record<string, string>;
  const headers = pairs.filter(([k]) => k !== '_body' && !(k === 'Content-Length' && '_body' in parsed));
  return { headers, body: parsed['_body'] };
}

describe('event encodings reproduce the fixtures byte for byte', () => {
  for (const base of ['encoding-probe.CHANNEL_EXECUTE_COMPLETE', 'plain-vs-json.CHANNEL_ANSWER', 'plain-vs-json.BACKGROUND_JOB']) {
    it(base, () => {
      const content = fixtureContent(`${base}.json.txt`);
      expect(serializeJson(content)).toBe(fixtureMessage(`${base}.json.txt`).body);
      const plain = fixtureMessage(`${base}.plain.txt`);
      expect(serializePlain(content)).toBe(plain.body);
      expect(plain.envelope).toBe(`Content-Length: ${Buffer.byteLength(plain.body)}\nContent-Type: text/event-plain\n\n`);
      expect(serializeXml(content)).toBe(fixtureMessage(`${base}.xml.txt`).body);
    });
  }

  it('URL encoding rules: %XX kept, lone % encoded, safe characters kept', () => {
    expect(fsUrlEncode('中文 %41 %zz & ? [ ] ^ ` { | } ! * ( ) ~ $ \' , / \\ + = : ; @ # " < > tab:\there')).toBe(
      '%E4%B8%AD%E6%96%87%20%41%20%25zz%20%26%20%3F%20%5B%20%5D%20%5E%20%60%20%7B%20%7C%20%7D%20!%20*%20(%20)%20~%20$%20\'%20,%20/%20%5C%20%2B%20%3D%20%3A%20%3B%20%40%20%23%20%22%20%3C%20%3E%20tab%3A%09here',
    );
  });
});

describe('live events match the captured header names and order', () => {
  let sim: FreeSwitchSimulator;
  beforeAll(async () => {
    sim = await startFreeSwitchSimulator({ eslPort: 0, speed: 50, vanillaDialplan: true, agents: [{ user: '1000', answerAfterMs: 1000 }] });
  });
  afterAll(async () => {
    await sim.close();
  });

  /** The first fixture event of a type for a channel, as raw JSON text. */
  function fixtureEvent(file: string, name: string, pick: (e: Record<string, unknown>) => boolean = () => true): string {
    for (const line of readFileSync(join(FIXTURES, file), 'utf8').split('\n')) {
      if (!line) continue;
      const rec = JSON.parse(line) as { dir: string; headers: Record<string, string>; body: string | null };
      if (rec.dir !== 'received' || rec.headers['Content-Type'] !== 'text/event-json' || !rec.body) continue;
      const e = JSON.parse(rec.body) as Record<string, unknown>;
      if (e['Event-Name'] === name && pick(e)) return rec.body;
    }
    throw new Error(`no ${name} in ${file}`);
  }

  it('scenario 1 replayed: CHANNEL_ANSWER and CHANNEL_HANGUP_COMPLETE have the fixture header set and order', async () => {
    const dir = tempDir();
    const welcome = toneWav(dir, 'welcome.wav', 500, 400, 8000);
    const menu = toneWav(dir, 'menu.wav', 700, 300, 8000);
    const media = await startMediaServer();
    const c = await EslClient.ready(sim.eslPort, 'json ALL');
    const call = sim.placeCall({
      caller: '13800138000',
      variables: { sip_subject: 'fixture' },
      actions: [{ on: 'playbackStop', match: 'menu', times: 1, delayMs: 200, do: { dtmf: '5' } }],
    });
    await c.event((e) => e['Event-Name'] === 'CHANNEL_PARK');
    await c.execute(call.uuid, 'answer', undefined, 'a');
    await c.execute(call.uuid, 'playback', welcome, 'b');
    await c.execute(call.uuid, 'play_and_get_digits', `1 1 1 7000 # ${menu} silence_stream://250 digits \\d`, 'c');
    await c.event((e) => e['Application-UUID'] === 'c' && e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE');
    expect(await c.api(`uuid_audio_fork ${call.uuid} start ws://127.0.0.1:${media.port}/media stereo 16k audiofork {"callUuid":"x"}`)).toBe('+OK Success\n');
    await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::connect');
    await c.execute(call.uuid, 'playback', menu, 'd');
    await c.event((e) => e['Application-UUID'] === 'd' && e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE');
    expect(await c.api(`uuid_audio_fork ${call.uuid} stop audiofork`)).toBe('+OK Success\n');
    await c.api(`uuid_kill ${call.uuid}`);
    await c.event((e) => e['Event-Name'] === 'CHANNEL_DESTROY');

    const mine = (name: string) => c.messages.find((m) => m.header('Content-Type') === 'text/event-json' && m.json()['Event-Name'] === name)!.body!;
    for (const name of ['CHANNEL_CREATE', 'CHANNEL_PARK', 'CHANNEL_ANSWER', 'CHANNEL_HANGUP', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY']) {
      const expected = jsonKeys(fixtureEvent('inbound-call-park-ivr.json-events.jsonl', name));
      expect(expected.length).toBeGreaterThan(50);
      expect({ name, keys: jsonKeys(mine(name)) }).toEqual({ name, keys: expected });
    }
    const pb = (app: string, resp?: string) => (e: Record<string, unknown>) => e['Application'] === app && (resp === undefined || e['Application-Response'] === resp);
    const myComplete = c.messages.find((m) => m.header('Content-Type') === 'text/event-json' && m.json()['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && m.json()['Application'] === 'play_and_get_digits')!.body!;
    expect(jsonKeys(myComplete)).toEqual(jsonKeys(fixtureEvent('inbound-call-park-ivr.json-events.jsonl', 'CHANNEL_EXECUTE_COMPLETE', pb('play_and_get_digits'))));
    const connect = c.messages.find((m) => m.header('Content-Type') === 'text/event-json' && m.json()['Event-Subclass'] === 'mod_audio_fork::connect')!.body!;
    expect(jsonKeys(connect)).toEqual(jsonKeys(fixtureEvent('inbound-call-park-ivr.json-events.jsonl', 'CUSTOM')));
    c.close();
    await media.close();
  });

  it('BACKGROUND_JOB of an originate has the fixture header order', async () => {
    const c = await EslClient.ready(sim.eslPort, 'json BACKGROUND_JOB');
    const job = (await c.command('bgapi originate {origination_uuid=30cfa1e8-f0aa-4168-9706-14175ca34ce8,origination_caller_id_number=12345}user/1000 &park()')).header('Job-UUID');
    await c.event((e) => e['Job-UUID'] === job);
    const mine = c.messages.find((m) => m.header('Content-Type') === 'text/event-json')!.body!;
    expect(jsonKeys(mine)).toEqual(jsonKeys(fixtureEvent('agent-originate-bridge.json-events.jsonl', 'BACKGROUND_JOB')));
    await c.api('uuid_kill 30cfa1e8-f0aa-4168-9706-14175ca34ce8');
    c.close();
  });

  it('the encoding probe through the simulator: the same variable and Application-Data lines as captured', async () => {
    const probe = 'probe=中文 %41 %zz & ? [ ] ^ ` { | } ! * ( ) ~ $ \' , / \\ + = : ; @ # " < > tab:\there';
    const conns = await Promise.all((['plain', 'json', 'xml'] as const).map((f) => EslClient.ready(sim.eslPort, `${f} CHANNEL_EXECUTE_COMPLETE`)));
    const call = sim.placeCall({});
    await conns[1]!.execute(call.uuid, 'set', probe, 'f59692e9-41ee-4dcb-a6e0-f8dccb869ba1');
    await conns[1]!.event((e) => e['Application'] === 'set');
    const plainMsg = await conns[0]!.next((m) => m.header('Content-Type') === 'text/event-plain' && m.body!.includes('\nApplication: set\n'));
    const xmlMsg = await conns[2]!.next((m) => m.header('Content-Type') === 'text/event-xml' && m.body!.includes('<Application>set</Application>'));
    const line = (text: string, name: string) => text.split('\n').find((l) => l.startsWith(name))!;
    const fixturePlain = fixtureMessage('encoding-probe.CHANNEL_EXECUTE_COMPLETE.plain.txt').body;
    const fixtureXml = fixtureMessage('encoding-probe.CHANNEL_EXECUTE_COMPLETE.xml.txt').body;
    for (const name of ['variable_probe: ', 'Application-Data: ']) expect(line(plainMsg.body!, name)).toBe(line(fixturePlain, name));
    for (const name of ['    <variable_probe>', '    <Application-Data>']) expect(line(xmlMsg.body!, name)).toBe(line(fixtureXml, name));
    const json = (await conns[1]!.event((e) => e['Application'] === 'set'))!;
    expect(json['variable_probe']).toBe(probe.slice('probe='.length));
    for (const c of conns) c.close();
    sim.hangupAll();
    await call.ended;
  });
});
