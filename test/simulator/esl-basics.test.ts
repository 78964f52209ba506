import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFreeSwitchSimulator, type FreeSwitchSimulator } from '../../src/simulator/index.js';
import { EslClient, readFixtureStream } from './helpers.js';

let sim: FreeSwitchSimulator;

beforeAll(async () => {
  sim = await startFreeSwitchSimulator({ eslPort: 0, speed: 50, hostname: 'vm', ipv4: '192.0.2.2', ipv6: 'fd00::2' });
});
afterAll(async () => {
  await sim.close();
});

/** Replays the `sent` records of a fixture stream and compares every `received` record byte for byte. */
async function replay(name: string): Promise<void> {
  const records = readFixtureStream(name);
  const c = await EslClient.connect(sim.eslPort);
  let received = 0;
  for (const r of records) {
    if (r.dir === 'sent') c.send(r.bytes.toString('utf8'));
    if (r.dir === 'received') {
      received++;
      const m = received === 1 ? c.messages[0]! : await c.next();
      expect(m.raw.toString('utf8')).toBe(r.bytes.toString('utf8'));
    }
    if (r.dir === 'close') await c.closed;
  }
  expect(received).toBeGreaterThan(1);
  c.close();
}

describe('ESL connection handling (byte-exact vs fixtures)', () => {
  it('auth/request, command before auth, auth and exit', async () => {
    await replay('errors.command-before-auth.txt');
  });

  it('bad password: -ERR invalid, disconnect notice, close', async () => {
    await replay('errors.bad-auth.txt');
  });

  it('command replies: event/filter/nixevent/noevents/linger/myevents/divert_events/log/api/bgapi/exit', async () => {
    await replay('command-replies.txt');
  });
});

describe('API replies', () => {
  let c: EslClient;
  beforeAll(async () => {
    c = await EslClient.ready(sim.eslPort, 'json BACKGROUND_JOB CHANNEL_CREATE CHANNEL_PARK CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY');
  });
  afterAll(() => c.close());

  it('error replies copied from errors.main', async () => {
    const nil = '00000000-0000-0000-0000-000000000000';
    expect(await c.api('show channels as json')).toBe('{"row_count": 0}\n');
    expect(await c.api('show calls as json')).toBe('{"row_count": 0}\n');
    expect(await c.api('show channels')).toBe('\n0 total.\n');
    expect(await c.api(`uuid_kill ${nil}`)).toBe('-ERR No such channel!\n');
    expect(await c.api('no_such_command')).toBe('-ERR no_such_command Command not found!\n');
    expect(await c.api('no_such_command with args')).toBe('-ERR no_such_command Command not found!\n');
    expect((await c.command('no_such_esl_command')).header('Reply-Text')).toBe('-ERR command not found');
    expect((await c.command(`sendmsg ${nil}`, 'call-command: execute\nexecute-app-name: answer\n')).header('Reply-Text')).toBe(
      `-ERR invalid session id [${nil}]`,
    );
    expect((await c.command('sendmsg', 'call-command: execute\nexecute-app-name: answer\n')).header('Reply-Text')).toBe('-ERR invalid session id []');
    expect(await c.api(`uuid_bridge ${nil} ${nil}`)).toBe('-ERR Invalid uuid\n');
    expect(await c.api(`uuid_audio_fork ${nil} start ws://127.0.0.1:8767/x stereo 16k`)).toBe('-ERR Operation Failed\n');
    expect(await c.api('uuid_audio_fork')).toBe(
      '-USAGE: <uuid> [start | stop | send_text | pause | resume | graceful-shutdown ] [wss-url | path] [mono | mixed | stereo] [8000 | 16000 | 24000 | 32000 | 64000] [bugname] [metadata]\n',
    );
    expect(await c.api(`uuid_audio_fork ${nil} stop`)).toBe('-ERR Operation Failed\n');
    expect(await c.api(`uuid_answer ${nil}`)).toBe('-ERROR\n');
    expect(await c.api(`uuid_broadcast ${nil} /snd/x.wav aleg`)).toBe('-ERR invalid uuid\n');
    expect(await c.api(`uuid_transfer ${nil} 12345 XML default`)).toBe('-ERR No such channel!\n');
    expect(await c.api(`uuid_getvar ${nil} digits`)).toBe('-ERR No such channel!\n');
    expect(await c.api(`uuid_exists ${nil}`)).toBe('false');
    expect(await c.api('originate user/9999 &park()')).toBe('-ERR SUBSCRIBER_ABSENT\n');
    const status = await c.api('status');
    expect(status).toMatch(/^UP 0 years, 0 days, 0 hours, \d+ minutes, \d+ seconds, \d+ milliseconds, \d+ microseconds\nFreeSWITCH \(Version 1\.11\.1-release  64bit\) is ready\n/);
  });

  it('bgapi: Job-UUID twice in the reply, BACKGROUND_JOB with the output as body, client-chosen Job-UUID honoured', async () => {
    const r = await c.command('bgapi originate user/9999 &park()');
    const job = r.header('Job-UUID')!;
    expect(r.raw.toString()).toBe(`Content-Type: command/reply\nReply-Text: +OK Job-UUID: ${job}\nJob-UUID: ${job}\n\n`);
    const ev = await c.event((e) => e['Job-UUID'] === job);
    expect(ev['Job-Command']).toBe('originate');
    expect(ev['Job-Command-Arg']).toBe('user/9999 &park()');
    expect(ev['_body']).toBe('-ERR SUBSCRIBER_ABSENT\n');

    const mine = '7f4de4a2-0c4b-4c1e-9d7e-0f0f0f0f0f0f';
    const r2 = await c.command('bgapi status', `Job-UUID: ${mine}\n`);
    expect(r2.header('Reply-Text')).toBe(`+OK Job-UUID: ${mine}`);
    const ev2 = await c.event((e) => e['Job-UUID'] === mine);
    expect(ev2['Job-Command']).toBe('status');
    expect('Job-Command-Arg' in ev2).toBe(false);
    expect(String(ev2['_body'])).toMatch(/^UP /);
  });

  it('survives garbage and oversized headers', async () => {
    const g = await EslClient.connect(sim.eslPort);
    g.send('\x00\x01garbage line without end\nfoo: bar\n\n');
    expect((await g.next()).header('Reply-Text')).toBe('-ERR command not found');
    g.send('x'.repeat(200_000));
    await g.closed;
    const ok = await EslClient.ready(sim.eslPort);
    expect(await ok.api('uuid_exists x')).toBe('false');
    ok.close();
  });
});
