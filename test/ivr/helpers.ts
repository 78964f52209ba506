/** Shared helpers of the IVR tests: fixtures, validation environment, WAV files made by sox. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFlow, type CompiledFlow } from '../../src/domain/ivr/compile.js';
import type { FlowDocument } from '../../src/domain/ivr/flow-schema.js';
import { defaultNodeRegistry } from '../../src/domain/ivr/registry.js';
import type { ValidationEnv } from '../../src/domain/ivr/validate.js';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** What a bad fixture promises: an issue with this code at this node (null = flow level). */
export interface ExpectedIssue {
  readonly code: string;
  readonly nodeId: string | null;
  /** A substring the message must contain (names the node, value or reason). */
  readonly mentions?: string;
  /** The JSON pointer of the issue, when the fixture pins it. */
  readonly path?: string;
}

export interface BadFixture {
  readonly name: string;
  readonly description: string;
  readonly flow: unknown;
  readonly expect: readonly ExpectedIssue[];
}

/** A good fixture: the parsed flow document (a fresh copy on every call). */
export function goodFixture(name: string): FlowDocument {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'good', `${name}.json`), 'utf8')) as FlowDocument;
}

export function goodFixtureNames(): string[] {
  return readdirSync(join(FIXTURES_DIR, 'good')).filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json')).sort();
}

export function badFixtures(): BadFixture[] {
  return readdirSync(join(FIXTURES_DIR, 'bad')).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const raw = JSON.parse(readFileSync(join(FIXTURES_DIR, 'bad', f), 'utf8')) as Omit<BadFixture, 'name'>;
    return { name: basename(f, '.json'), ...raw };
  });
}

/** Validation environment with the real node registry; `files` = uploaded prompt names. */
export function envWith(files: readonly string[] = []): ValidationEnv {
  return { registry: defaultNodeRegistry, audioExists: (file) => files.includes(file) };
}

/** `compileFlow` with the test environment (all node types; audio files as `envWith` says). */
export function compileForTest(doc: unknown, version = 1): CompiledFlow {
  return compileFlow(doc, version, envWith());
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hotline-ivr-${prefix}-`));
}

/** A real WAV made by sox: `seconds` of a 440 Hz sine at `rate` Hz with `channels` channels, 16-bit. */
export function soxWav(dir: string, name: string, rate = 8000, channels = 1, seconds = 0.5): Buffer {
  const path = join(dir, name);
  execFileSync('sox', ['-D', '-n', '-r', String(rate), '-c', String(channels), '-b', '16', path, 'synth', String(seconds), 'sine', '440']);
  return readFileSync(path);
}
