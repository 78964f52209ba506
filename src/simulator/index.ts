/**
 * Public surface of the FreeSWITCH simulator (see README.md in this folder).
 */
export { startFreeSwitchSimulator } from './simulator.js';
export type { FreeSwitchSimulator, SimulatorOptions, ChannelInfo, SimulatorStats } from './simulator.js';
export { SimulatedCall, CallWaitError } from './call.js';
export type { CallLog, CallResult } from './call.js';
export { validateCallScript, callScriptSchema, CallScriptError, SCRIPT_TRIGGERS } from './scripts.js';
export type { CallScript, ScriptAction, ScriptDo, ScriptTrigger } from './scripts.js';
export { AgentConfigError, validateAgent } from './agents.js';
export type { AgentConfig } from './agents.js';
export type { ChannelSignal } from './channel.js';
export { FsEvent } from './event.js';
export type { SimLogger } from './core.js';
export { encodeWav, loadClip, parseWav, AudioFileNotFoundError, AudioFormatError } from './audio.js';
export { fsUrlEncode, serializeEvent, serializeJson, serializePlain, serializeXml } from './wire.js';
export type { EventFormat, HeaderValue } from './wire.js';
