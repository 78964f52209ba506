import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import pino from 'pino';
import { EslClient } from '../../src/telephony/esl/client.js';
import { EslCommandError, EslTimeoutError } from '../../src/telephony/esl/errors.js';

/** A raw TCP peer speaking just enough ESL, so tests can send FreeSWITCH-shaped and broken bytes. */
function fakeSwitch(onCommand: (socket: Socket, command: string) => void): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.write('Content-Type: auth/request\n\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const command = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (command.startsWith('auth ')) socket.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n');
        else if (command.startsWith('event ')) socket.write('Content-Type: command/reply\nReply-Text: +OK event listener enabled json\n\n');
        else onCommand(socket, command);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port, sockets })));
}

const apiReply = (body: string) => `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;
const jsonEvent = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n\n${body}`;

let cleanup: Array<() => void> = [];
afterEach(() => { for (const f of cleanup) f(); cleanup = []; });

function client(port: number, commandTimeoutMs = 2000): EslClient {
  const c = new EslClient({ host: '127.0.0.1', port, password: 'ClueCon', events: ['ALL'], commandTimeoutMs, reconnectMinMs: 20, reconnectMaxMs: 100, log: pino({ level: 'silent' }) });
  cleanup.push(() => c.close());
  return c;
}

describe('ESL client against malformed and misbehaving peers', () => {
  it('survives a broken JSON event and keeps the connection and reply order', async () => {
    const { server, port } = await fakeSwitch((socket, command) => {
      if (command === 'api status') {
        socket.write(jsonEvent('{"Event-Name": "CHANNEL_PARK", broken'));
        socket.write(jsonEvent('{"Event-Name":"DTMF","Unique-ID":"u1","DTMF-Digit":"7"}'));
        socket.write(apiReply('UP 0 years'));
      }
    });
    cleanup.push(() => server.close());
    const c = client(port);
    const events: string[] = [];
    c.on('event', (e) => events.push(`${e.name}:${e.headers['DTMF-Digit'] ?? ''}`));
    let disconnects = 0;
    c.on('disconnected', () => disconnects++);
    await c.start();
    await expect(c.api('status')).resolves.toBe('UP 0 years');
    expect(events).toEqual(['DTMF:7']);
    expect(disconnects).toBe(0);
  });

  it('drops the connection on unrecoverable framing, reconnects, and fails the pending command', async () => {
    let connections = 0;
    const { server, port } = await fakeSwitch((socket, command) => {
      if (command === 'api first') socket.write('Content-Type: api/response\nContent-Length: lots\n\n');
      if (command === 'api second') socket.write(apiReply('+OK fine'));
    });
    server.on('connection', () => connections++);
    cleanup.push(() => server.close());
    const c = client(port);
    await c.start();
    const reconnected = once(c, 'connected');
    await expect(c.api('first')).rejects.toThrow();
    await reconnected;
    expect(connections).toBe(2);
    await expect(c.api('second')).resolves.toBe('+OK fine');
  });

  it('a timed-out command keeps its reply slot: a late reply is not handed to the next command', async () => {
    const pending: Socket[] = [];
    const { server, port } = await fakeSwitch((socket, command) => {
      if (command === 'api slow') pending.push(socket);
      if (command === 'api quick') {
        socket.write(apiReply('slow result'));
        socket.write(apiReply('quick result'));
      }
    });
    cleanup.push(() => server.close());
    const c = client(port, 100);
    await c.start();
    await expect(c.api('slow')).rejects.toBeInstanceOf(EslTimeoutError);
    await expect(c.api('quick')).resolves.toBe('quick result');
  });

  it('maps -ERR replies to EslCommandError and correlates bgapi by Job-UUID', async () => {
    const { server, port } = await fakeSwitch((socket, command) => {
      if (command.startsWith('api uuid_kill')) socket.write(apiReply('-ERR No such channel!\n'));
      const job = /Job-UUID: (\S+)/.exec(command)?.[1];
      if (job) {
        socket.write(`Content-Type: command/reply\nReply-Text: +OK Job-UUID: ${job}\nJob-UUID: ${job}\n\n`);
        const other = JSON.stringify({ 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': 'someone-else', 'Content-Length': '4', _body: 'nope' });
        const mine = JSON.stringify({ 'Event-Name': 'BACKGROUND_JOB', 'Job-UUID': job, 'Content-Length': '4', _body: '+OK\n' });
        socket.write(jsonEvent(other) + jsonEvent(mine));
      }
    });
    cleanup.push(() => server.close());
    const c = client(port);
    await c.start();
    await expect(c.api('uuid_kill nope')).rejects.toBeInstanceOf(EslCommandError);
    await expect(c.bgapi('status')).resolves.toBe('+OK\n');
  });
});
