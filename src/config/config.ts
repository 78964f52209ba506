import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Agent = Type.Object({
  /** Agent id (工号), also used in CDRs. */
  id: Type.String({ minLength: 1 }),
  name: Type.String(),
  /** FreeSWITCH directory user the agent's softphone registers as. */
  sipUser: Type.String({ minLength: 1 }),
  /** Login token for the agent WebSocket (until real auth lands). */
  token: Type.String({ minLength: 4 }),
  skills: Type.Array(Type.String(), { default: ['general'] }),
});

/** The whole configuration, validated once at start-up. Durations in ms. */
export const ConfigSchema = Type.Object({
  http: Type.Object({ host: Type.String(), port: Type.Integer({ minimum: 0, maximum: 65535 }) }),
  esl: Type.Object({
    host: Type.String(), port: Type.Integer({ minimum: 1, maximum: 65535 }), password: Type.String({ minLength: 1 }),
    commandTimeoutMs: Type.Integer({ minimum: 100 }), reconnectMinMs: Type.Integer({ minimum: 10 }), reconnectMaxMs: Type.Integer({ minimum: 10 }),
  }),
  hotlineNumbers: Type.Array(Type.String({ pattern: '^[0-9*#+]+$' }), { minItems: 1 }),
  media: Type.Object({
    module: Type.Union([Type.Literal('mod_audio_fork'), Type.Literal('mod_audio_stream')]),
    publicUrl: Type.String({ pattern: '^wss?://' }),
    secret: Type.String({ minLength: 16 }),
    sampleRateHz: Type.Union([Type.Literal(8000), Type.Literal(16000)]),
  }),
  /** `promptsDir`: TTS render cache; `audioDir`: admin-uploaded IVR prompts (must be readable by FreeSWITCH). */
  storage: Type.Object({ dbPath: Type.String(), recordingsDir: Type.String(), promptsDir: Type.String(), audioDir: Type.String() }),
  ivr: Type.Object({
    /** IANA time zone of the centre, for time-of-day / holiday conditions and announcements. */
    timeZone: Type.String({ minLength: 1 }),
    /** FreeSWITCH gateway (sofia profile `external`) that transfers to 110/119/120 and other numbers go out through. */
    trunkGateway: Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }),
    /** Ring time of an outbound transfer before it counts as failed. */
    transferRingTimeoutMs: Type.Integer({ minimum: 1000 }),
  }),
  /** Admins of flows and prompts: bearer tokens (until SSO lands). */
  admins: Type.Array(Type.Object({ id: Type.String({ minLength: 1 }), name: Type.String(), token: Type.String({ minLength: 8 }) })),
  speech: Type.Object({
    /** Language of calls' recognition, e.g. `zh-CN` (needs a Vosk model) or `en-US` (pocketsphinx). */
    language: Type.String(),
    voskModelPath: Type.Optional(Type.String()),
    pocketsphinxModelDir: Type.String(),
    /** TTS voice for prompts: cmn (Mandarin), yue (Cantonese), en. */
    promptVoice: Type.Union([Type.Literal('cmn'), Type.Literal('yue'), Type.Literal('en')]),
  }),
  acd: Type.Object({
    /** Longest queue wait before overflow to the voicebot (12345 centres aim at answer within 15–30 s). */
    maxQueueWaitMs: Type.Integer({ minimum: 0 }),
    /** Ring time of one offer before RONA (redirect on no answer). */
    ringTimeoutMs: Type.Integer({ minimum: 1000 }),
    /** After-call work before the agent is available again. */
    wrapUpMs: Type.Integer({ minimum: 0 }),
  }),
  voicebot: Type.Object({
    /** Longest time the caller may describe the problem. */
    maxListenMs: Type.Integer({ minimum: 1000 }),
    /** Silence after speech that ends the description. */
    endSilenceMs: Type.Integer({ minimum: 200 }),
  }),
  agents: Type.Array(Agent),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
});

export type Config = Static<typeof ConfigSchema>;
export type AgentConfig = Static<typeof Agent>;

/** Configuration errors: every problem, each with its path, in one message. */
export class ConfigError extends Error {
  override name = 'ConfigError' as const;
}

/** Demo agents 1000–1003 (matching freeswitch-conf's directory users); replace in production. */
const DEMO_AGENTS: AgentConfig[] = ['1000', '1001', '1002', '1003'].map((id) => ({
  id, name: `座席${id}`, sipUser: id, token: `agent-${id}`, skills: ['general'],
}));

/** Defaults: enough for the demo with nothing set. */
export function defaultConfig(): Config {
  return {
    http: { host: '127.0.0.1', port: 8080 },
    esl: { host: '127.0.0.1', port: 8021, password: 'ClueCon', commandTimeoutMs: 5000, reconnectMinMs: 250, reconnectMaxMs: 10_000 },
    hotlineNumbers: ['12345'],
    media: { module: 'mod_audio_fork', publicUrl: 'ws://127.0.0.1:8080/media', secret: randomBytes(24).toString('hex'), sampleRateHz: 16000 },
    storage: { dbPath: 'data/hotline.db', recordingsDir: resolve('recordings'), promptsDir: resolve('.cache/prompts'), audioDir: resolve('data/prompts') },
    ivr: { timeZone: 'Asia/Shanghai', trunkGateway: 'pstn', transferRingTimeoutMs: 30_000 },
    admins: [{ id: 'admin', name: '管理员', token: 'admin-demo' }],
    speech: { language: 'en-US', pocketsphinxModelDir: '/usr/share/pocketsphinx/model/en-us', promptVoice: 'cmn' },
    acd: { maxQueueWaitMs: 30_000, ringTimeoutMs: 15_000, wrapUpMs: 5_000 },
    voicebot: { maxListenMs: 30_000, endSilenceMs: 1500 },
    agents: DEMO_AGENTS,
    logLevel: 'info',
  };
}

/** Environment variables and the config path each one sets. */
const ENV: Record<string, [string, 'string' | 'int' | 'list' | 'json']> = {
  HOTLINE_HTTP_HOST: ['http.host', 'string'],
  HOTLINE_HTTP_PORT: ['http.port', 'int'],
  HOTLINE_ESL_HOST: ['esl.host', 'string'],
  HOTLINE_ESL_PORT: ['esl.port', 'int'],
  HOTLINE_ESL_PASSWORD: ['esl.password', 'string'],
  HOTLINE_NUMBERS: ['hotlineNumbers', 'list'],
  HOTLINE_AUDIO_MODULE: ['media.module', 'string'],
  HOTLINE_MEDIA_PUBLIC_URL: ['media.publicUrl', 'string'],
  HOTLINE_MEDIA_TOKEN: ['media.secret', 'string'],
  HOTLINE_MEDIA_SAMPLE_RATE: ['media.sampleRateHz', 'int'],
  HOTLINE_DB_PATH: ['storage.dbPath', 'string'],
  HOTLINE_RECORDINGS_DIR: ['storage.recordingsDir', 'string'],
  HOTLINE_PROMPTS_DIR: ['storage.promptsDir', 'string'],
  HOTLINE_AUDIO_DIR: ['storage.audioDir', 'string'],
  HOTLINE_TIME_ZONE: ['ivr.timeZone', 'string'],
  HOTLINE_TRUNK_GATEWAY: ['ivr.trunkGateway', 'string'],
  HOTLINE_ADMINS: ['admins', 'json'],
  HOTLINE_ASR_LANGUAGE: ['speech.language', 'string'],
  HOTLINE_VOSK_MODEL_PATH: ['speech.voskModelPath', 'string'],
  HOTLINE_POCKETSPHINX_MODEL_DIR: ['speech.pocketsphinxModelDir', 'string'],
  HOTLINE_PROMPT_VOICE: ['speech.promptVoice', 'string'],
  HOTLINE_QUEUE_MAX_WAIT_MS: ['acd.maxQueueWaitMs', 'int'],
  HOTLINE_RING_TIMEOUT_MS: ['acd.ringTimeoutMs', 'int'],
  HOTLINE_WRAP_UP_MS: ['acd.wrapUpMs', 'int'],
  HOTLINE_AGENTS: ['agents', 'json'],
  HOTLINE_LOG_LEVEL: ['logLevel', 'string'],
};

/** Names of the supported environment variables (documented in README). */
export const CONFIG_ENV_VARS = Object.keys(ENV);

/**
 * Build the configuration: defaults, then the JSON file named by `HOTLINE_CONFIG_FILE` (same shape
 * as `Config`, partial), then environment variables, then `overrides`. Throws `ConfigError` listing
 * every invalid value with its path.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: DeepPartial<Config> = {}): Config {
  let config: Record<string, unknown> = defaultConfig() as unknown as Record<string, unknown>;
  if (env.HOTLINE_CONFIG_FILE) {
    let fileConfig: unknown;
    try {
      fileConfig = JSON.parse(readFileSync(env.HOTLINE_CONFIG_FILE, 'utf8'));
    } catch (error) {
      throw new ConfigError(`cannot read HOTLINE_CONFIG_FILE ${env.HOTLINE_CONFIG_FILE}: ${(error as Error).message}`);
    }
    config = merge(config, fileConfig);
  }
  const problems: string[] = [];
  for (const [name, [path, kind]] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    let value: unknown = raw;
    if (kind === 'int') {
      value = Number(raw);
      if (!Number.isInteger(value)) problems.push(`${name}: not an integer: ${raw}`);
    } else if (kind === 'list') value = raw.split(',').map((s) => s.trim()).filter(Boolean);
    else if (kind === 'json') {
      try {
        value = JSON.parse(raw);
      } catch {
        problems.push(`${name}: not valid JSON`);
      }
    }
    config = merge(config, setPath(path, value));
  }
  config = merge(config, overrides);
  const withDefaults = Value.Default(ConfigSchema, config);
  for (const error of Value.Errors(ConfigSchema, withDefaults)) problems.push(`${error.path || '/'}: ${error.message}`);
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return withDefaults as Config;
}

export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

function setPath(path: string, value: unknown): Record<string, unknown> {
  return path.split('.').reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Record<string, unknown>;
}

function merge(base: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = typeof value === 'object' && value !== null && !Array.isArray(value)
      && typeof current === 'object' && current !== null && !Array.isArray(current)
      ? merge(current as Record<string, unknown>, value) : value;
  }
  return out;
}
