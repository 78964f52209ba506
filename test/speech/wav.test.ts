import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createWavHeader, decodeWav, deinterleave, encodeWav, interleave, pcmDurationMs, readWavFile, WAV_HEADER_BYTES } from '../../src/speech/wav.js';
import { WavFormatError } from '../../src/speech/errors.js';
import { LIBRIVOX_DIR, testdataPresent } from './helpers.js';

describe('WAV', () => {
  it('round-trips stereo PCM', () => {
    const samples = Int16Array.from([1, -1, 32767, -32768, 300, -300]);
    const bytes = encodeWav({ sampleRateHz: 8000, channels: 2, samples });
    expect(bytes.length).toBe(WAV_HEADER_BYTES + 12);
    const back = decodeWav(bytes);
    expect(back.sampleRateHz).toBe(8000);
    expect(back.channels).toBe(2);
    expect(Array.from(back.samples)).toEqual(Array.from(samples));
    const [l, r] = deinterleave(back.samples, 2);
    expect(Array.from(l!)).toEqual([1, 32767, 300]);
    expect(Array.from(r!)).toEqual([-1, -32768, -300]);
    expect(Array.from(interleave([l!, r!]))).toEqual(Array.from(samples));
  });

  it('reads odd offsets, skips unknown chunks, accepts an unpatched streaming header', () => {
    const pcm = encodeWav({ sampleRateHz: 16000, channels: 1, samples: Int16Array.from([5, 6, 7]) });
    // Insert an odd-sized LIST chunk (padded) between fmt and data, and leave data size 0.
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.from([0])]);
    const withList = Buffer.concat([pcm.subarray(0, 36), list, pcm.subarray(36)]);
    withList.writeUInt32LE(0, 36 + list.length + 4);
    const shifted = Buffer.concat([Buffer.from([0]), withList]).subarray(1); // odd byteOffset in its ArrayBuffer
    expect(Array.from(decodeWav(shifted).samples)).toEqual([5, 6, 7]);
  });

  it('accepts WAVE_FORMAT_EXTENSIBLE with PCM sub-format', () => {
    const header = Buffer.alloc(68);
    header.write('RIFF', 0);
    header.writeUInt32LE(60 + 4, 4);
    header.write('WAVE', 8);
    header.write('fmt ', 12);
    header.writeUInt32LE(40, 16);
    header.writeUInt16LE(0xfffe, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(8000, 24);
    header.writeUInt32LE(16000, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.writeUInt16LE(22, 36); // cbSize
    header.writeUInt16LE(16, 38); // valid bits
    header.writeUInt32LE(4, 40); // channel mask
    header.writeUInt16LE(1, 44); // sub-format GUID starts with 0x0001 = PCM
    header.write('data', 60);
    header.writeUInt32LE(4, 64);
    const wav = decodeWav(Buffer.concat([header, Buffer.from([1, 0, 2, 0])]));
    expect(Array.from(wav.samples)).toEqual([1, 2]);
  });

  it('rejects non-WAV, non-PCM and non-16-bit input with WavFormatError', () => {
    expect(() => decodeWav(Buffer.from('hello world, not a wav'))).toThrow(WavFormatError);
    const float = createWavHeader({ sampleRateHz: 8000, channels: 1, dataBytes: 0 });
    float.writeUInt16LE(3, 20);
    expect(() => decodeWav(float)).toThrow(WavFormatError);
    const eightBit = createWavHeader({ sampleRateHz: 8000, channels: 1, dataBytes: 0 });
    eightBit.writeUInt16LE(8, 34);
    expect(() => decodeWav(eightBit)).toThrow(WavFormatError);
  });

  it.skipIf(!testdataPresent)('reads the pocketsphinx-testdata librivox WAVs', async () => {
    const wav = await readWavFile(join(LIBRIVOX_DIR, 'sense_and_sensibility_01_austen_64kb-0880.wav'));
    expect(wav.sampleRateHz).toBe(16000);
    expect(wav.channels).toBe(1);
    expect(pcmDurationMs(wav.samples.length, wav.sampleRateHz)).toBeCloseTo(2990, 0);
  });
});
