import pino, { type Logger } from 'pino';

/**
 * The process logger. Caller numbers, transcripts and ticket contents are PII: these keys are
 * redacted wherever they appear in structured log records.
 */
export function createLogger(level: string, pretty = false): Logger {
  return pino({
    level,
    redact: { paths: ['callerNumber', 'text', 'draft', 'transcript', '*.callerNumber', '*.text', '*.draft', 'token', '*.token'], censor: '[redacted]' },
    ...(pretty ? { base: undefined, timestamp: false } : {}),
  });
}
