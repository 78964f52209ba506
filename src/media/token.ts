import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Per-call token that authenticates an audio stream: HMAC-SHA256(secret, callUuid), base64url,
 * 32 characters. The server puts it into the stream's metadata; the ingest checks it, so only
 * streams the server itself commanded are accepted.
 */
export function mediaToken(secret: string, callUuid: string): string {
  return createHmac('sha256', secret).update(callUuid).digest('base64url').slice(0, 32);
}

/** Constant-time check of a token against the expected one for `callUuid`. */
export function verifyMediaToken(secret: string, callUuid: string, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const expected = Buffer.from(mediaToken(secret, callUuid));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
