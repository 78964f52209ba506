import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFreeSwitchSimulator, type FreeSwitchSimulator } from '../../src/simulator/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EslClient, FIXTURES } from './helpers.js';

const EVENTS =
  'json CHANNEL_CREATE CHANNEL_PARK CHANNEL_ANSWER CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE CHANNEL_DESTROY BACKGROUND_JOB CHANNEL_BRIDGE CHANNEL_UNBRIDGE CHANNEL_PROGRESS';

let sim: FreeSwitchSimulator;
let c: EslClient;

beforeAll(async () => {
  sim = await startFreeSwitchSimulator({
    eslPort: 0,
    speed: 50,
    agents: [
      { user: '1000', answerAfterMs: 1000 },
      { user: '1002', registered: false },
      { user: '1003', answerAfterMs: 500, reject: 'USER_BUSY' },
      { user: '1004', answerAfterMs: null },
    ],
  });
  c = await EslClient.ready(sim.eslPort, EVENTS);
});
afterAll(async () => {
  c.close();
  await sim.close();
});

const label = (e: Record<string, unknown>) => `${e['Event-Name']}${e['Application'] ? ':' + e['Application'] : ''}`;

describe('originate', () => {
  it('absent and unregistered users fail at once, with api and bgapi', async () => {
    expect(await c.api('originate user/9999 &park()')).toBe('-ERR SUBSCRIBER_ABSENT\n');
    expect(await c.api('originate user/1002 &park()')).toBe('-ERR USER_NOT_REGISTERED\n');
    const job = (await c.command('bgapi originate user/1002 &park()')).header('Job-UUID');
    const ev = await c.event((e) => e['Job-UUID'] === job);
    expect(ev['_body']).toBe('-ERR USER_NOT_REGISTERED\n');
  });

  it('a rejecting agent gives USER_BUSY; a ringing agent times out with NO_ANSWER', async () => {
    expect(await c.api('originate {origination_uuid=aaaaaaaa-0000-4000-8000-000000000003}user/1003 &park()')).toBe('-ERR USER_BUSY\n');
    const hc = await c.event((e) => e['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && e['Unique-ID'] === 'aaaaaaaa-0000-4000-8000-000000000003');
    expect(hc['variable_sip_hangup_disposition']).toBe('recv_refuse');
    expect(await c.api('originate {originate_timeout=2}user/1004 &park()')).toBe('-ERR NO_ANSWER\n');
  });

  it('registered agent: CREATE, ANSWER, BACKGROUND_JOB +OK <uuid>, then EXECUTE park and PARK', async () => {
    const agentUuid = '30cfa1e8-f0aa-4168-9706-14175ca34ce8';
    const r = await c.command(`bgapi originate {origination_uuid=${agentUuid},origination_caller_id_number=12345}user/1000 &park()`);
    const job = r.header('Job-UUID');
    await c.event((e) => e['Event-Name'] === 'CHANNEL_PARK' && e['Unique-ID'] === agentUuid);
    const seq = c.events().filter((e) => e['Unique-ID'] === agentUuid || e['Job-UUID'] === job).map(label);
    expect(seq).toEqual(['CHANNEL_CREATE', 'CHANNEL_PROGRESS', 'CHANNEL_ANSWER', 'BACKGROUND_JOB', 'CHANNEL_EXECUTE:park', 'CHANNEL_PARK']);
    const bj = c.events().find((e) => e['Job-UUID'] === job)!;
    expect(bj['_body']).toBe(`+OK ${agentUuid}\n`);
    const create = c.events().find((e) => e['Event-Name'] === 'CHANNEL_CREATE' && e['Unique-ID'] === agentUuid)!;
    expect(create['Call-Direction']).toBe('outbound');
    expect(create['Caller-Caller-ID-Number']).toBe('12345');
    expect(create['Channel-Name']).toBe('sofia/internal/1000@127.0.0.1:5090');
    expect(await c.api(`uuid_kill ${agentUuid}`)).toBe('+OK\n');
    await c.event((e) => e['Event-Name'] === 'CHANNEL_DESTROY' && e['Unique-ID'] === agentUuid);
  });
});

describe('uuid_bridge', () => {
  it('one CHANNEL_BRIDGE on the A leg; agent BYE hangs the caller up too', async () => {
    sim.setAgent({ user: '1000', answerAfterMs: 1000, hangupAfterMs: 3000 });
    const call = sim.placeCall({ caller: '13800138001' });
    await c.event((e) => e['Event-Name'] === 'CHANNEL_PARK' && e['Unique-ID'] === call.uuid);
    await c.execute(call.uuid, 'answer', undefined, 'ans-1');
    const agentUuid = 'bbbbbbbb-0000-4000-8000-000000000001';
    expect(await c.api(`originate {origination_uuid=${agentUuid},origination_caller_id_number=12345}user/1000 &park()`)).toBe(`+OK ${agentUuid}\n`);
    expect(await c.api(`uuid_bridge ${call.uuid} ${agentUuid}`)).toBe(`+OK ${agentUuid}\n`);
    const bridge = await c.event((e) => e['Event-Name'] === 'CHANNEL_BRIDGE');
    expect(bridge['Unique-ID']).toBe(call.uuid);
    expect(bridge['Bridge-A-Unique-ID']).toBe(call.uuid);
    expect(bridge['Bridge-B-Unique-ID']).toBe(agentUuid);
    expect(bridge['Other-Type']).toBe('originatee');
    expect(bridge['Other-Leg-Unique-ID']).toBe(agentUuid);
    const afterBridge = c.events().filter((e) => [call.uuid, agentUuid].includes(String(e['Unique-ID']))).map((e) => `${label(e)}@${String(e['Unique-ID']).slice(0, 4)}`);
    expect(afterBridge.slice(-5)).toEqual([
      `CHANNEL_EXECUTE_COMPLETE:park@${agentUuid.slice(0, 4)}`,
      `CHANNEL_EXECUTE_COMPLETE:park@${call.uuid.slice(0, 4)}`,
      `CHANNEL_EXECUTE:uuid_bridge@${call.uuid.slice(0, 4)}`,
      `CHANNEL_EXECUTE:uuid_bridge@${agentUuid.slice(0, 4)}`,
      `CHANNEL_BRIDGE@${call.uuid.slice(0, 4)}`,
    ]);
    const rows = JSON.parse(await c.api('show calls as json')) as { row_count: number; rows: Array<Record<string, string>> };
    expect(rows.row_count).toBe(1);
    expect(rows.rows[0]!['b_uuid']).toBe(agentUuid);
    const fixtureCalls = JSON.parse(readFileSync(join(FIXTURES, 'show-calls-bridged.json'), 'utf8')) as typeof rows;
    expect(Object.keys(rows.rows[0]!)).toEqual(Object.keys(fixtureCalls.rows[0]!));
    const chans = JSON.parse(await c.api('show channels as json')) as typeof rows;
    const fixtureChans = JSON.parse(readFileSync(join(FIXTURES, 'show-channels-bridged.json'), 'utf8')) as typeof rows;
    expect(chans.rows.map((r) => Object.keys(r))).toEqual(fixtureChans.rows.map((r) => Object.keys(r)));
    const pick = (r: Record<string, string>) => ({ state: r['state'], application: r['application'], callstate: r['callstate'], call_uuid: r['call_uuid'] === call.uuid });
    expect(chans.rows.map(pick)).toEqual(fixtureChans.rows.map((r) => ({ ...pick(r), call_uuid: true })));

    const result = await call.ended;
    expect(result.hangupCause).toBe('NORMAL_CLEARING');
    await c.event((e) => e['Event-Name'] === 'CHANNEL_DESTROY' && e['Unique-ID'] === call.uuid);
    const end = c
      .events()
      .filter((e) => [call.uuid, agentUuid].includes(String(e['Unique-ID'])))
      .map((e) => `${label(e)}@${e['Unique-ID'] === call.uuid ? 'A' : 'B'}`);
    // As captured in agent-originate-bridge: the agent's BYE ends the agent leg first, then the caller.
    expect(end.slice(-7)).toEqual([
      'CHANNEL_HANGUP@B',
      'CHANNEL_HANGUP_COMPLETE@B',
      'CHANNEL_UNBRIDGE@A',
      'CHANNEL_HANGUP@A',
      'CHANNEL_DESTROY@B',
      'CHANNEL_HANGUP_COMPLETE@A',
      'CHANNEL_DESTROY@A',
    ]);
    const hcB = c.events().find((e) => e['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && e['Unique-ID'] === agentUuid)!;
    expect(hcB['variable_sip_hangup_disposition']).toBe('recv_bye');
    const hcA = c.events().find((e) => e['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && e['Unique-ID'] === call.uuid)!;
    expect(hcA['variable_sip_hangup_disposition']).toBe('send_bye');
    expect(result.log.bridges[0]?.otherUuid).toBe(agentUuid);
  });

  it('park_after_bridge=true: the caller is unbridged and parked when the agent hangs up', async () => {
    sim.setAgent({ user: '1000', answerAfterMs: 500, hangupAfterMs: 2000 });
    const call = sim.placeCall({ caller: '13800138002' });
    await c.event((e) => e['Event-Name'] === 'CHANNEL_PARK' && e['Unique-ID'] === call.uuid);
    await c.execute(call.uuid, 'set', 'park_after_bridge=true', 'set-1');
    await c.execute(call.uuid, 'answer', undefined, 'ans-2');
    const agentUuid = 'bbbbbbbb-0000-4000-8000-000000000002';
    await c.api(`originate {origination_uuid=${agentUuid}}user/1000 &park()`);
    await c.api(`uuid_bridge ${call.uuid} ${agentUuid}`);
    await c.event((e) => e['Event-Name'] === 'CHANNEL_DESTROY' && e['Unique-ID'] === agentUuid);
    const parkedAgain = await c.event(
      (e) => e['Event-Name'] === 'CHANNEL_PARK' && e['Unique-ID'] === call.uuid && Number(e['Event-Sequence']) > 0 && e['Other-Type'] === 'originatee',
    );
    expect(parkedAgain['Answer-State']).toBe('answered');
    expect(call.alive).toBe(true);
    expect(sim.channels().map((x) => x.uuid)).toEqual([call.uuid]);
    await c.api(`uuid_kill ${call.uuid}`);
    await call.ended;
  });

  it('uuid_transfer to an external number leaves park and hangs up; to 12345 parks again', async () => {
    const call = sim.placeCall({ caller: '13800138003' });
    await c.event((e) => e['Event-Name'] === 'CHANNEL_PARK' && e['Unique-ID'] === call.uuid);
    const parkedAgain = call.waitFor('park');
    expect(await c.api(`uuid_transfer ${call.uuid} 12345 XML default`)).toBe('+OK\n');
    await parkedAgain;
    expect(await c.api(`uuid_transfer ${call.uuid} 013912345678 XML default`)).toBe('+OK\n');
    const r = await call.ended;
    expect(r.log.transfers.map((t) => t.dest)).toEqual(['12345', '013912345678']);
    expect(r.hangupCause).toBe('NORMAL_CLEARING');
  });
});
