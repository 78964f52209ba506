import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('configuration', () => {
  it('has defaults that need nothing set', () => {
    const config = loadConfig({});
    expect(config.esl.port).toBe(8021);
    expect(config.hotlineNumbers).toEqual(['12345']);
    expect(config.agents.length).toBeGreaterThan(0);
  });

  it('reads environment variables with types', () => {
    const config = loadConfig({ HOTLINE_ESL_PORT: '9021', HOTLINE_NUMBERS: '12345, 96110', HOTLINE_AUDIO_MODULE: 'mod_audio_stream' });
    expect(config.esl.port).toBe(9021);
    expect(config.hotlineNumbers).toEqual(['12345', '96110']);
    expect(config.media.module).toBe('mod_audio_stream');
  });

  it('lists every invalid value at once', () => {
    try {
      loadConfig({ HOTLINE_ESL_PORT: 'abc', HOTLINE_AUDIO_MODULE: 'mod_nope', HOTLINE_MEDIA_PUBLIC_URL: 'http://x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain('HOTLINE_ESL_PORT');
      expect(message).toContain('/media/module');
      expect(message).toContain('/media/publicUrl');
    }
  });
});
