/** Typed errors raised by the ESL adapter. The domain decides which are fatal; test with `instanceof`. */

/** The ESL connection is down (or went down while the command was pending). */
export class EslDisconnectedError extends Error {
  override name = 'EslDisconnectedError' as const;
}

/** A command got no reply (or an execute no CHANNEL_EXECUTE_COMPLETE) within its timeout. */
export class EslTimeoutError extends Error {
  override name = 'EslTimeoutError' as const;
  constructor(readonly command: string, readonly timeoutMs: number) {
    super(`ESL command timed out after ${timeoutMs} ms: ${command.split('\n')[0]}`);
  }
}

/** FreeSWITCH answered `-ERR …` (or `-USAGE`). `reply` is the text after the sign, trimmed. */
export class EslCommandError extends Error {
  override name = 'EslCommandError' as const;
  constructor(readonly command: string, readonly reply: string) {
    super(`FreeSWITCH rejected "${command.split('\n')[0]}": ${reply}`);
  }
}

/** Authentication with the event socket failed (wrong password). Not retried quickly. */
export class EslAuthError extends Error {
  override name = 'EslAuthError' as const;
}

/** The peer sent bytes that are not ESL framing (oversized headers, bad Content-Length). */
export class EslProtocolError extends Error {
  override name = 'EslProtocolError' as const;
}
