import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import websocket from '@fastify/websocket';
import { WebSocket } from 'ws';
import pino from 'pino';
import { once } from 'node:events';
import { AUDIO_FORK_SUBPROTOCOL, handleAudioStream, type IngestStats } from '../../src/media/audio-ingest.js';
import { mediaToken } from '../../src/media/token.js';
import type { LiveCallLookup } from '../../src/domain/calls/hotline.js';

const SECRET = 'test-secret-0123456789';
const received: Array<{ caller: number[]; agent: number[] | undefined }> = [];
let closedStreams = 0;
const calls: LiveCallLookup = {
  openAudio: (uuid, sampleRateHz) => uuid !== 'known-call' ? undefined : ({
    sampleRateHz,
    push: (caller, agent) => received.push({ caller: [...caller], agent: agent ? [...agent] : undefined }),
    streamClosed: () => { closedStreams++; },
  }),
};
const stats: IngestStats = { connections: 0, frames: 0, rejectedFrames: 0, rejectedStreams: 0 };
const app = Fastify();
let url = '';

beforeAll(async () => {
  await app.register(websocket, { options: { handleProtocols: (p: Set<string>) => (p.has(AUDIO_FORK_SUBPROTOCOL) ? AUDIO_FORK_SUBPROTOCOL : false) } });
  app.get('/media', { websocket: true }, (socket) => handleAudioStream(socket, { calls, secret: SECRET, log: pino({ level: 'silent' }), stats }));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  url = address.replace('http', 'ws') + '/media';
});
afterAll(() => app.close());

async function open(): Promise<WebSocket> {
  const ws = new WebSocket(url, AUDIO_FORK_SUBPROTOCOL, { perMessageDeflate: false });
  await once(ws, 'open');
  return ws;
}

function stereoFrame(pairs: Array<[number, number]>): Buffer {
  const buf = Buffer.alloc(pairs.length * 4);
  pairs.forEach(([l, r], i) => { buf.writeInt16LE(l, i * 4); buf.writeInt16LE(r, i * 4 + 2); });
  return buf;
}

describe('audio stream ingest (mod_audio_fork wire shape)', () => {
  it('echoes the audio.drachtio.org subprotocol and splits stereo into caller (left) and agent (right)', async () => {
    const ws = await open();
    expect(ws.protocol).toBe(AUDIO_FORK_SUBPROTOCOL);
    received.length = 0;
    ws.send(stereoFrame([[9, 9]])); // before metadata: dropped
    ws.send(JSON.stringify({ callUuid: 'known-call', token: mediaToken(SECRET, 'known-call'), mix: 'stereo', rate: '16000' }));
    ws.send(Buffer.alloc(7)); // odd length: dropped
    ws.send(Buffer.alloc(6)); // 3 samples: not whole stereo frames, dropped
    ws.send(stereoFrame([[1, -1], [2, -2], [300, -300]]));
    ws.close();
    await once(ws, 'close');
    await expect.poll(() => closedStreams).toBe(1);
    expect(received).toEqual([{ caller: [1, 2, 300], agent: [-1, -2, -300] }]);
    expect(stats.rejectedFrames).toBe(3);
  });

  it('rejects a stream with a wrong token (close 1008) and one for an unknown call', async () => {
    for (const meta of [
      { callUuid: 'known-call', token: 'forged' },
      { callUuid: 'other-call', token: mediaToken(SECRET, 'other-call') },
      'not json at all',
    ]) {
      const ws = await open();
      ws.send(typeof meta === 'string' ? meta : JSON.stringify(meta));
      const [code] = (await once(ws, 'close')) as [number];
      expect(code).toBe(1008);
    }
  });
});
