import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFreeSwitchSimulator, type FreeSwitchSimulator } from '../../src/simulator/index.js';
import { decodePassthroughMarkers } from '../../src/speech/passthrough.js';
import { EslClient, rms, startMediaServer, tempDir, toneWav, zeroCrossingHz, type MediaServer } from './helpers.js';

const EVENTS =
  'json CHANNEL_PARK CHANNEL_EXECUTE_COMPLETE PLAYBACK_START PLAYBACK_STOP MEDIA_BUG_START MEDIA_BUG_STOP CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY CUSTOM mod_audio_fork::connect mod_audio_fork::connect_failed mod_audio_fork::disconnect mod_audio_fork::error mod_audio_fork::transcription mod_audio_fork::json mod_audio_fork::kill_audio mod_audio_fork::transfer mod_audio_stream::connect mod_audio_stream::json mod_audio_stream::disconnect mod_audio_stream::error';

let sim: FreeSwitchSimulator;
let media: MediaServer;
let c: EslClient;
let dir: string;
let callerTone: string;
let promptTone: string;

beforeAll(async () => {
  dir = tempDir();
  callerTone = toneWav(dir, 'caller-440-16k.wav', 440, 30000, 16000);
  promptTone = toneWav(dir, 'prompt-1000-8k.wav', 1000, 1000, 8000);
  sim = await startFreeSwitchSimulator({ eslPort: 0, speed: 20 });
  media = await startMediaServer();
  c = await EslClient.ready(sim.eslPort, EVENTS);
});
afterAll(async () => {
  c.close();
  await media.close();
  await sim.close();
});

/** Lets simulated time pass on a channel by running the `sleep` application. */
async function sleepOn(uuid: string, ms: number, id: string): Promise<void> {
  await c.execute(uuid, 'sleep', String(ms), id);
  await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application-UUID'] === id);
}

async function answeredCall(say?: string) {
  const call = sim.placeCall({ say });
  await c.execute(call.uuid, 'answer', undefined, `ans-${call.uuid}`);
  await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application-UUID'] === `ans-${call.uuid}`);
  return call;
}

describe('mod_audio_fork', () => {
  it('stereo 16k: metadata first, 1280-byte frames only while the prompt plays, left = caller, right = prompt', async () => {
    const call = await answeredCall(callerTone);
    const url = `ws://127.0.0.1:${media.port}/media?call=${call.uuid}`;
    expect(await c.api(`uuid_audio_fork ${call.uuid} start ${url} stereo 16k audiofork {"callUuid":"${call.uuid}","token":"secret"}`)).toBe('+OK Success\n');
    const bugStart = await c.event((e) => e['Event-Name'] === 'MEDIA_BUG_START' && e['Unique-ID'] === call.uuid);
    expect(bugStart['Media-Bug-Function']).toBe('audiofork');
    expect(bugStart['Media-Bug-Target']).toBe('N/A');
    const conn = await media.nextConnection();
    await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::connect' && e['Unique-ID'] === call.uuid);
    expect(conn.url).toBe(`/media?call=${call.uuid}`);
    expect(conn.headers['sec-websocket-protocol']).toBe('audio.drachtio.org');
    expect(conn.headers['host']).toBe('127.0.0.1');
    expect(conn.headers['sec-websocket-extensions']).toBeUndefined();

    await sleepOn(call.uuid, 1000, 'idle-1');
    expect(conn.binaries.length).toBe(0); // idle parked call: no frames at all in stereo

    await c.execute(call.uuid, 'playback', promptTone, 'prompt');
    await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application-UUID'] === 'prompt');
    await sleepOn(call.uuid, 500, 'idle-2');
    expect(await c.api(`uuid_audio_fork ${call.uuid} stop audiofork`)).toBe('+OK Success\n');
    expect((await conn.closed).code).toBe(1000);

    expect(conn.texts[0]).toBe(`{"callUuid":"${call.uuid}","token":"secret"}`);
    expect(conn.binaries.length).toBe(50); // 1 s of prompt = 50 frames of 20 ms
    expect(new Set(conn.binaries.map((b) => b.length))).toEqual(new Set([1280]));
    const pcm = Buffer.concat(conn.binaries);
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
    const left: number[] = [];
    const right: number[] = [];
    for (let i = 0; i < samples.length; i += 2) {
      left.push(samples[i]!);
      right.push(samples[i + 1]!);
    }
    expect(zeroCrossingHz(left, 16000)).toBeGreaterThan(420);
    expect(zeroCrossingHz(left, 16000)).toBeLessThan(460);
    expect(zeroCrossingHz(right, 16000)).toBeGreaterThan(970);
    expect(zeroCrossingHz(right, 16000)).toBeLessThan(1030);
    expect(rms(left)).toBeGreaterThan(3000);
    const stop = await c.event((e) => e['Event-Name'] === 'MEDIA_BUG_STOP' && e['Unique-ID'] === call.uuid);
    expect(stop['Media-Bug-Function']).toBe('audiofork');
    call.hangup();
    await call.ended;
  });

  it('mono 8k flows continuously (320-byte frames); argument splitting keeps spaces after a bug name; E2 without', async () => {
    const call = await answeredCall(callerTone);
    await c.api(`uuid_audio_fork ${call.uuid} start ws://127.0.0.1:${media.port}/mono mono 8k spacebug {"a": 1, "b": "x y"}`);
    const conn = await media.nextConnection();
    await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::connect' && e['Unique-ID'] === call.uuid);
    await sleepOn(call.uuid, 1000, 'mono-idle');
    expect(await c.api(`uuid_audio_fork ${call.uuid} start ws://127.0.0.1:${media.port}/dup mono 8k spacebug`)).toBe('-ERR Operation Failed\n');
    expect(await c.api(`uuid_audio_fork ${call.uuid} stop nosuchbug`)).toBe('-ERR Operation Failed\n');
    await c.api(`uuid_audio_fork ${call.uuid} stop spacebug`);
    await conn.closed;
    expect(conn.binaries.length).toBeGreaterThanOrEqual(50); // nothing plays: mono still flows
    expect(new Set(conn.binaries.map((b) => b.length))).toEqual(new Set([320]));
    expect(conn.texts[0]).toBe('{"a": 1, "b": "x y"}');

    await c.api(`uuid_audio_fork ${call.uuid} start ws://127.0.0.1:${media.port}/nobug mono 8k {"a": 1}`);
    const e2 = await media.nextConnection();
    const bug = await c.event((e) => e['Event-Name'] === 'MEDIA_BUG_START' && e['Media-Bug-Function'] === '{"a":');
    expect(bug['Unique-ID']).toBe(call.uuid);
    await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::connect' && c.events().filter((x) => x['Event-Subclass'] === 'mod_audio_fork::connect').length >= 3);
    expect(e2.texts[0]).toBe('1}');
    call.hangup();
    expect((await e2.closed).code).toBe(1000);
    await call.ended;
  });

  it('server messages become CUSTOM events; killAudio breaks the prompt; a server close fires disconnect', async () => {
    const call = await answeredCall();
    await c.api(`uuid_audio_fork ${call.uuid} start ws://127.0.0.1:${media.port}/talk mono 16k talkbug`);
    const conn = await media.nextConnection();
    await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::connect' && e['Unique-ID'] === call.uuid);
    expect(conn.texts.length).toBe(0); // no metadata, no text frame
    conn.ws.send(JSON.stringify({ type: 'transcription', data: { text: '我要投诉', is_final: true, speaker: 'caller' } }));
    const t = await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::transcription');
    expect(t['_body']).toBe('{"text":"我要投诉","is_final":true,"speaker":"caller"}');
    const whole = '{"type":"json","data":{"anything":"goes","n":1}}';
    conn.ws.send(whole);
    expect((await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::json'))['_body']).toBe(whole);
    conn.ws.send('not json');
    conn.ws.send(JSON.stringify({ type: 'transfer', data: { to: '12345' } }));
    expect((await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::transfer'))['_body']).toBe('{"to":"12345"}');

    await c.execute(call.uuid, 'playback', promptTone, 'killme');
    await c.event((e) => e['Event-Name'] === 'PLAYBACK_START' && e['Unique-ID'] === call.uuid);
    conn.ws.send(JSON.stringify({ type: 'killAudio' }));
    const stop = await c.event((e) => e['Event-Name'] === 'PLAYBACK_STOP' && e['Unique-ID'] === call.uuid);
    expect(stop['Playback-Status']).toBe('break');
    const kill = await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::kill_audio');
    expect('_body' in kill).toBe(false);

    conn.ws.close(4000, 'server finished');
    const d = await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::disconnect' && e['Unique-ID'] === call.uuid);
    expect('_body' in d).toBe(false);
    expect(await conn.closed).toEqual({ code: 4000, reason: 'server finished' });
    expect(await c.api(`uuid_audio_fork ${call.uuid} stop talkbug`)).toBe('+OK Success\n'); // the bug stayed attached
    call.hangup();
    await call.ended;
  });

  it('connect_failed: nothing listening, or an HTTP 403', async () => {
    const call = await answeredCall();
    const closedPort = await new Promise<number>((r) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => r(p));
      });
    });
    expect(await c.api(`uuid_audio_fork ${call.uuid} start ws://127.0.0.1:${closedPort}/x mono 8k deadbug`)).toBe('+OK Success\n');
    const f1 = await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::connect_failed');
    expect(f1['_body']).toBe('{"reason":"Unable to connect"}');
    const http = net.createServer((s) => s.once('data', () => s.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    await c.api(`uuid_audio_fork ${call.uuid} start ws://127.0.0.1:${(http.address() as net.AddressInfo).port}/reject mono 8k rejbug`);
    const f2 = await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::connect_failed' && e['_body'] !== f1['_body']);
    expect(f2['_body']).toBe('{"reason":"HS: ws upgrade response not 101"}');
    http.close();
    call.hangup();
    await call.ended;
  });
});

describe('latency markers', () => {
  it('a marker goes out bit-exact in the caller channel and decodes with the pass-through recogniser', async () => {
    const call = await answeredCall(callerTone);
    await c.api(`uuid_audio_fork ${call.uuid} start ws://127.0.0.1:${media.port}/markers stereo 16k`);
    const conn = await media.nextConnection();
    await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::connect' && e['Unique-ID'] === call.uuid);
    const seq = call.sendMarker('路灯 坏了');
    expect(call.log.markers[0]!.sentAtMs).toBeUndefined(); // stereo is idle: it waits for a written frame
    await c.execute(call.uuid, 'playback', promptTone, 'mk-play');
    await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application-UUID'] === 'mk-play');
    await c.api(`uuid_audio_fork ${call.uuid} stop`);
    await conn.closed;
    const pcm = Buffer.concat(conn.binaries);
    const all = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
    const left = new Int16Array(all.length / 2);
    for (let i = 0; i < left.length; i++) left[i] = all[2 * i]!;
    const found = decodePassthroughMarkers(left);
    expect(found.map((m) => ({ seq: m.seq, text: m.text }))).toEqual([{ seq, text: '路灯 坏了' }]);
    expect(found[0]!.sentAtMs).toBeCloseTo(call.log.markers[0]!.sentAtMs!, 2);
    call.hangup();
    await call.ended;
  });
});

describe('ptime 30', () => {
  it('a 30 ms caller leg gives 1920-byte stereo 16k frames, 2 every 3 ticks', async () => {
    const call = sim.placeCall({ ptimeMs: 30, say: callerTone });
    await c.execute(call.uuid, 'answer', undefined, 'p30-ans');
    await c.api(`uuid_audio_fork ${call.uuid} start ws://127.0.0.1:${media.port}/p30 stereo 16k`);
    const conn = await media.nextConnection();
    await c.event((e) => e['Event-Subclass'] === 'mod_audio_fork::connect' && e['Unique-ID'] === call.uuid);
    await c.execute(call.uuid, 'playback', promptTone, 'p30-play');
    await c.event((e) => e['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && e['Application-UUID'] === 'p30-play');
    await c.api(`uuid_audio_fork ${call.uuid} stop`);
    await conn.closed;
    expect(new Set(conn.binaries.map((b) => b.length))).toEqual(new Set([1920]));
    expect(conn.binaries.length).toBe(34); // ceil(1000 ms / 30 ms)
    call.hangup();
    await call.ended;
  });
});

describe('mod_audio_stream', () => {
  it('connect/json/disconnect events with their JSON bodies; frames at 16k mono', async () => {
    const call = await answeredCall(callerTone);
    expect(await c.api('uuid_audio_stream')).toMatch(/^-USAGE: /);
    expect(await c.api(`uuid_audio_stream ${call.uuid} start ws://127.0.0.1:${media.port}/stream mono 16k {"x": 1}`)).toBe('+OK Success\n');
    const conn = await media.nextConnection();
    const connect = await c.event((e) => e['Event-Subclass'] === 'mod_audio_stream::connect');
    expect(connect['_body']).toBe('{"status":"connected"}');
    expect(conn.headers['sec-websocket-protocol']).toBeUndefined();
    await sleepOn(call.uuid, 400, 'stream-idle');
    expect(conn.texts[0]).toBe('{"x": 1}');
    expect(conn.binaries.length).toBeGreaterThan(5);
    expect(conn.binaries[0]!.length).toBe(640);
    conn.ws.send('{"event":"partial","text":"你好"}');
    expect((await c.event((e) => e['Event-Subclass'] === 'mod_audio_stream::json'))['_body']).toBe('{"event":"partial","text":"你好"}');
    conn.ws.close(1000, 'bye');
    const d = await c.event((e) => e['Event-Subclass'] === 'mod_audio_stream::disconnect');
    expect(d['_body']).toBe('{"status":"disconnected","message":{"code":1000,"reason":"bye"}}');
    call.hangup();
    await call.ended;
  });
});
