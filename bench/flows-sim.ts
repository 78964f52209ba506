/**
 * Child process of `bench/flows.ts`: the FreeSWITCH simulator, the agents' browsers and the admin's
 * HTTP client, so that the parent's event loop is the server's alone. Driven over IPC by small
 * request/response commands: parent → `{ type: 'cmd', id, op, … }`, child → `{ type: 'reply', id,
 * result | error }`. First message: child → `{ type: 'esl', eslPort, password }`.
 * argv[2] = simulator speed (0 = unpaced).
 */
import { startFreeSwitchSimulator, type CallResult, type ScriptAction, type SimulatedCall } from '../src/simulator/index.js';
import { AgentClient } from '../src/cli/lab.js';

type Msg = { type: string } & Record<string, any>;
const send = (m: Msg) => process.send!(m);

const speed = Number(process.argv[2] ?? 1);
const sim = await startFreeSwitchSimulator({ eslPort: 0, speed });
send({ type: 'esl', eslPort: sim.eslPort, password: sim.password });

const calls = new Map<string, SimulatedCall>();
const agents: AgentClient[] = [];
let serverUrl = '';

/** Resolves when `call` has (had) an `execute` whose app/argument contains `match`, or a prompt whose file contains it. */
function reached(call: SimulatedCall, on: 'execute' | 'playbackStart', match: string, timeoutMs: number): Promise<void> {
  const past = on === 'execute'
    ? call.log.apps.some((a) => a.app.includes(match) || (a.arg ?? '').includes(match))
    : call.log.prompts.some((p) => p.file.includes(match));
  if (past) return Promise.resolve();
  return call.waitFor(on, { match, timeoutMs }).then(() => undefined);
}

async function timedFetch(path: string, method: string, body: unknown): Promise<{ ms: number; status: number; body: unknown }> {
  const t0 = performance.now();
  const res = await fetch(`${serverUrl}${path}`, {
    method, headers: { authorization: 'Bearer admin-demo', 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch { /* keep text */ }
  return { ms, status: res.status, body: parsed };
}

const ops: Record<string, (m: Msg) => Promise<unknown>> = {
  async server(m) {
    serverUrl = m.serverUrl;
    // Node loads fetch (undici) on first use: do that now, not in a timed request.
    await fetch(`${serverUrl}/health`).then((r) => r.text());
    return true;
  },
  /** Simulated SIP users + logged-in (not ready) agent browsers. */
  async agents(m) {
    for (const id of m.ids as string[]) {
      sim.setAgent({ user: id, answerAfterMs: m.answerAfterMs, hangupAfterMs: m.hangupAfterMs });
      agents.push(await AgentClient.login(serverUrl, id, `agent-${id}`));
    }
    return agents.length;
  },
  async ready() {
    await Promise.all(agents.map((a) => a.ready()));
    return agents.length;
  },
  async place(m) {
    const uuids: string[] = [];
    for (const c of m.calls as { caller: string; actions: ScriptAction[] }[]) {
      const call = sim.placeCall({ caller: c.caller, actions: c.actions });
      calls.set(call.uuid, call);
      uuids.push(call.uuid);
    }
    return uuids;
  },
  async reach(m) {
    const t0 = performance.now();
    await Promise.all((m.uuids as string[]).map((u) => reached(calls.get(u)!, m.on, m.match, m.timeoutMs ?? 60_000)));
    return performance.now() - t0;
  },
  async cpu() {
    return process.cpuUsage();
  },
  async dtmf(m) {
    for (const u of m.uuids as string[]) calls.get(u)!.sendDtmf(m.digits);
    return true;
  },
  /** The admin saves a draft: PUT, timed as an HTTP round trip. */
  async saveDraft(m) {
    return timedFetch(`/admin/api/flows/${m.flowId}`, 'PUT', { doc: m.doc });
  },
  /** The admin publishes the saved draft: POST, timed as an HTTP round trip. */
  async publish(m) {
    return timedFetch(`/admin/api/flows/${m.flowId}/publish`, 'POST', { comment: m.comment ?? 'bench' });
  },
  /** Wait for the calls to end (at most timeoutMs; the rest are hung up) and return their logs. */
  async results(m) {
    const uuids = m.uuids as string[];
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), m.timeoutMs ?? 120_000).unref());
    const done = await Promise.race([Promise.all(uuids.map((u) => calls.get(u)!.ended)), timeout]);
    const timedOut = done === 'timeout' ? uuids.filter((u) => calls.get(u)!.alive) : [];
    for (const u of timedOut) calls.get(u)!.hangup('NORMAL_CLEARING');
    const results: CallResult[] = await Promise.all(uuids.map((u) => calls.get(u)!.ended));
    return results.map((r) => ({
      uuid: r.uuid, hangupCause: r.hangupCause, answered: r.answered, timedOut: timedOut.includes(r.uuid),
      prompts: r.log.prompts.map((p) => p.file), apps: r.log.apps.map((a) => ({ app: a.app, arg: a.arg ?? '' })),
      digits: r.log.digitsSent, bridges: r.log.bridges.length, errors: r.log.errors,
    }));
  },
  async close() {
    sim.hangupAll();
    await Promise.all([...calls.values()].map((c) => c.ended));
    for (const a of agents) await a.close();
    await sim.close();
    return true;
  },
};

process.on('message', (m: Msg) => {
  if (m.type !== 'cmd') return;
  const op = ops[m.op as string];
  if (!op) return send({ type: 'reply', id: m.id, error: `unknown op ${String(m.op)}` });
  op(m).then(
    (result) => send({ type: 'reply', id: m.id, result }),
    (error: unknown) => send({ type: 'reply', id: m.id, error: (error as Error).message ?? String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
