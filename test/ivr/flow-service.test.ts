/**
 * FlowService + FlowRepository on a real SQLite file (openDatabase on a temp path, migrations
 * applied) and a real PromptStore (sox) on a temp directory.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { FlowValidationError } from '../../src/domain/ivr/compile.js';
import { defaultFlow } from '../../src/domain/ivr/default-flow.js';
import type { FlowDocument } from '../../src/domain/ivr/flow-schema.js';
import { FlowService, FlowShapeError } from '../../src/domain/ivr/flow-service.js';
import { defaultNodeRegistry } from '../../src/domain/ivr/registry.js';
import { simulateFlow } from '../../src/domain/ivr/simulate.js';
import { PromptStore } from '../../src/media/prompt-store.js';
import { openDatabase, type Db } from '../../src/storage/database.js';
import { FlowExistsError, FlowNotFoundError, FlowRepository } from '../../src/storage/flow-repository.js';
import { badFixtures, goodFixture, soxWav, tempDir } from './helpers.js';

let dir: string;
let dbPath: string;
let open: Db[];
let prompts: PromptStore;

function service(): FlowService {
  const db = openDatabase(dbPath);
  open.push(db);
  return new FlowService({ repo: new FlowRepository(db), registry: defaultNodeRegistry, audioExists: (f) => prompts.exists(f), timeZone: 'Asia/Shanghai' });
}

beforeEach(() => {
  dir = tempDir('flows');
  dbPath = join(dir, 'db', 'hotline.sqlite');
  prompts = new PromptStore({ dir: join(dir, 'prompts') });
  open = [];
});
afterEach(() => {
  for (const db of open) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const nav = (): FlowDocument => goodFixture('speech-navigation');
const welcomeText = (doc: { nodes: readonly { id: string; props: unknown }[] }): string =>
  ((doc.nodes.find((n) => n.id === 'welcome')!.props as { prompt: { text: string } }).prompt.text);
function withWelcome(doc: FlowDocument, text: string): FlowDocument {
  (doc.nodes.find((n) => n.id === 'welcome')!.props as { prompt: { text: string } }).prompt.text = text;
  return doc;
}
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an exception');
}

describe('drafts', () => {
  it('an invalid draft is stored as given, with its issues returned', () => {
    const flows = service();
    const bad = badFixtures().find((b) => b.name === 'unknown-type')!.flow as FlowDocument;
    const issues = flows.create(bad, 'alice');
    expect(issues.map((i) => [i.code, i.nodeId])).toEqual([['unknown-type', 'fax']]);
    const row = flows.get('bad-flow');
    expect(row.draft).toEqual(bad);
    expect(row.publishedVersion).toBeNull();
    expect(row.draftUpdatedBy).toBe('alice');
    expect(flows.list().map((f) => [f.id, f.numbers, f.publishedVersion])).toEqual([['bad-flow', ['96999'], null]]);
    expect(flows.history('bad-flow').map((h) => [h.action, h.actor])).toEqual([['create', 'alice']]);
  });

  it('a body that is not a flow, a second create and a mismatched id are refused', () => {
    const flows = service();
    expect(thrownBy(() => flows.create({ hello: 'world' }, 'alice'))).toBeInstanceOf(FlowShapeError);
    flows.create(nav(), 'alice');
    expect(thrownBy(() => flows.create(nav(), 'bob'))).toBeInstanceOf(FlowExistsError);
    const mismatch = thrownBy(() => flows.saveDraft('speech-navigation', { ...nav(), id: 'other-flow' }, 'alice'));
    expect(mismatch).toBeInstanceOf(FlowShapeError);
    expect((mismatch as FlowShapeError).issues.map((i) => i.code)).toEqual(['id-mismatch']);
    expect(thrownBy(() => flows.saveDraft('no-such-flow', { ...nav(), id: 'no-such-flow' }, 'alice'))).toBeInstanceOf(FlowNotFoundError);
    expect(flows.list().map((f) => f.id)).toEqual(['speech-navigation']);
  });
});

describe('publish', () => {
  it('refuses an invalid draft with every issue and stores nothing', () => {
    const flows = service();
    const bad = badFixtures().find((b) => b.name === 'input-free-loop')!.flow;
    flows.create(bad, 'alice');
    const error = thrownBy(() => flows.publish('bad-flow', 'alice'));
    expect(error).toBeInstanceOf(FlowValidationError);
    expect((error as FlowValidationError).issues.map((i) => [i.code, i.nodeId])).toEqual([
      ['input-free-loop', 'greeting'], ['input-free-loop', 'count'], ['input-free-loop', 'check'],
    ]);
    expect((error as FlowValidationError).message).toContain('never waits for the caller');
    expect(flows.versions('bad-flow')).toEqual([]);
    expect(flows.get('bad-flow').publishedVersion).toBeNull();
    expect(flows.catalog.get('bad-flow')).toBeUndefined();
    expect(flows.catalog.forNumber('96999')).toBeUndefined();
    expect(flows.history('bad-flow').map((h) => h.action)).toEqual(['create']);
    expect(thrownBy(() => flows.publish('no-such-flow', 'alice'))).toBeInstanceOf(FlowNotFoundError);
  });

  it('numbers versions 1, 2, … and swaps the catalog; a call in progress keeps its frozen version', async () => {
    const flows = service();
    flows.create(nav(), 'alice');
    const v1 = flows.publish('speech-navigation', 'alice', 'first');
    expect(v1.version).toBe(1);
    const inCall = flows.catalog.forNumber('96345')!; // a call starts on v1 and holds it
    expect(inCall).toBe(v1);

    flows.saveDraft('speech-navigation', withWelcome(nav(), '您好，新版欢迎语。'), 'bob');
    const v2 = flows.publish('speech-navigation', 'bob', 'new greeting');
    expect(v2.version).toBe(2);
    expect(flows.catalog.forNumber('96345')).toBe(v2);
    expect(flows.catalog.get('speech-navigation')).toBe(v2);
    expect(welcomeText(v2.doc)).toBe('您好，新版欢迎语。');

    // The call in progress is untouched, and cannot be changed.
    expect(inCall.version).toBe(1);
    expect(welcomeText(inCall.doc)).toBe(welcomeText(nav()));
    expect(Object.isFrozen(inCall)).toBe(true);
    expect(Object.isFrozen(inCall.doc)).toBe(true);
    expect(Object.isFrozen(inCall.nodes.get('welcome'))).toBe(true);
    expect(Object.isFrozen(inCall.nodes.get('welcome')!.props)).toBe(true);
    expect(() => { (inCall.doc as { name: string }).name = 'hacked'; }).toThrow(TypeError);
    const oldRun = await simulateFlow(inCall, { utterances: ['人工'] }, defaultNodeRegistry);
    const newRun = await simulateFlow(flows.catalog.forNumber('96345')!, { utterances: ['人工'] }, defaultNodeRegistry);
    expect(oldRun.prompts[0]!.text).toBe(welcomeText(nav()));
    expect(newRun.prompts[0]!.text).toBe('您好，新版欢迎语。');

    const versions = flows.versions('speech-navigation');
    expect(versions.map((v) => [v.version, v.publishedBy, v.comment, v.current])).toEqual([[2, 'bob', 'new greeting', true], [1, 'alice', 'first', false]]);
    expect(versions.every((v) => typeof v.publishedAt === 'number' && v.publishedAt > 0)).toBe(true);
    expect(flows.version('speech-navigation', 1)).toEqual(nav());
  });

  it('rollback to v1 makes v1 current and is recorded with the actor', () => {
    const flows = service();
    flows.create(nav(), 'alice');
    flows.publish('speech-navigation', 'alice');
    flows.saveDraft('speech-navigation', withWelcome(nav(), '第二版'), 'alice');
    flows.publish('speech-navigation', 'alice');
    const back = flows.rollback('speech-navigation', 1, 'carol', 'v2 greeting was wrong');
    expect(back.version).toBe(1);
    expect(flows.catalog.forNumber('96345')!.version).toBe(1);
    expect(welcomeText(flows.catalog.forNumber('96345')!.doc)).toBe(welcomeText(nav()));
    expect(flows.get('speech-navigation').publishedVersion).toBe(1);
    expect(flows.versions('speech-navigation').map((v) => [v.version, v.current])).toEqual([[2, false], [1, true]]);
    expect(flows.history('speech-navigation').map((h) => [h.action, h.version, h.actor, h.comment])).toEqual([
      ['create', null, 'alice', null], ['publish', 1, 'alice', null], ['publish', 2, 'alice', null], ['rollback', 1, 'carol', 'v2 greeting was wrong'],
    ]);
    // The draft is not touched by a rollback; the next publish is v3.
    expect(welcomeText(flows.get('speech-navigation').draft as FlowDocument)).toBe('第二版');
    expect(flows.publish('speech-navigation', 'alice').version).toBe(3);
    expect(thrownBy(() => flows.rollback('speech-navigation', 9, 'carol'))).toBeInstanceOf(FlowNotFoundError);
  });
});

describe('numbers', () => {
  it('a second flow claiming a published number gets number-taken and cannot publish', () => {
    const flows = service();
    flows.create(nav(), 'alice');
    flows.publish('speech-navigation', 'alice');
    const thief = { ...goodFixture('callback-request'), numbers: ['96002', '96345'] };
    const issues = flows.create(thief, 'bob');
    expect(issues.map((i) => [i.code, i.path])).toEqual([['number-taken', '/numbers/1']]);
    expect(issues[0]!.message).toContain('speech-navigation');
    const error = thrownBy(() => flows.publish('callback-request', 'bob'));
    expect(error).toBeInstanceOf(FlowValidationError);
    expect((error as FlowValidationError).issues.map((i) => i.code)).toEqual(['number-taken']);
    expect(flows.catalog.forNumber('96345')!.flowId).toBe('speech-navigation');
    expect(flows.catalog.forNumber('96002')).toBeUndefined();
    // Republishing the owner with its own number is fine.
    expect(flows.publish('speech-navigation', 'alice').version).toBe(2);
  });

  /**
   * KNOWN BUG (src/domain/ivr/flow-service.ts `rollback`): rollback compiles the old version but
   * never runs the `number-taken` check that `publish` does, and `FlowCatalog.install` overwrites
   * the number of another published flow. Two published flows then claim the same number; which
   * one answers after a restart depends on the row order of `FlowRepository.published()`.
   */
  it('rollback to a version whose number another flow now answers is refused', () => {
    const flows = service();
    flows.create(nav(), 'alice');
    flows.publish('speech-navigation', 'alice'); // v1 answers 96345
    flows.saveDraft('speech-navigation', { ...nav(), numbers: ['96346'] }, 'alice');
    flows.publish('speech-navigation', 'alice'); // v2 answers 96346 only
    flows.create({ ...goodFixture('callback-request'), numbers: ['96345'] }, 'bob');
    flows.publish('callback-request', 'bob'); // 96345 is free now: ok
    expect(flows.catalog.forNumber('96345')!.flowId).toBe('callback-request');
    expect(thrownBy(() => flows.rollback('speech-navigation', 1, 'alice'))).toBeInstanceOf(FlowValidationError);
    expect(flows.catalog.forNumber('96345')!.flowId).toBe('callback-request');
  });
});

describe('delete, restart, seed', () => {
  it('delete removes the flow from the catalog and the store, and is recorded', () => {
    const flows = service();
    flows.create(nav(), 'alice');
    flows.publish('speech-navigation', 'alice');
    flows.delete('speech-navigation', 'dave');
    expect(flows.catalog.forNumber('96345')).toBeUndefined();
    expect(flows.catalog.get('speech-navigation')).toBeUndefined();
    expect(thrownBy(() => flows.get('speech-navigation'))).toBeInstanceOf(FlowNotFoundError);
    expect(flows.list()).toEqual([]);
    expect(flows.history('speech-navigation').map((h) => [h.action, h.actor])).toEqual([['create', 'alice'], ['publish', 'alice'], ['delete', 'dave']]);
    expect(thrownBy(() => flows.delete('speech-navigation', 'dave'))).toBeInstanceOf(FlowNotFoundError);
    // Nothing comes back after a restart either.
    const again = service();
    expect(again.load()).toEqual([]);
    expect(again.catalog.forNumber('96345')).toBeUndefined();
  });

  it('load() after a restart restores the current published versions (rolled-back ones included), not drafts', () => {
    const first = service();
    first.create(nav(), 'alice');
    first.publish('speech-navigation', 'alice');
    first.saveDraft('speech-navigation', withWelcome(nav(), '第二版'), 'alice');
    first.publish('speech-navigation', 'alice');
    first.rollback('speech-navigation', 1, 'alice');
    first.create(goodFixture('callback-request'), 'bob');
    first.publish('callback-request', 'bob');
    first.saveDraft('callback-request', { ...goodFixture('callback-request'), name: '未发布的修改' }, 'bob');
    first.create({ ...defaultFlow(), numbers: ['12345'] }, 'carol'); // draft only
    open[0]!.close();

    const second = service();
    expect(second.catalog.forNumber('96345')).toBeUndefined();
    expect(second.load()).toEqual([]);
    const navFlow = second.catalog.forNumber('96345')!;
    expect([navFlow.flowId, navFlow.version]).toEqual(['speech-navigation', 1]);
    expect(welcomeText(navFlow.doc)).toBe(welcomeText(nav()));
    expect(second.catalog.forNumber('96001')).toBe(second.catalog.forNumber('96002'));
    expect(second.catalog.forNumber('96001')!.doc.name).toBe(goodFixture('callback-request').name);
    expect(second.catalog.forNumber('12345')).toBeUndefined();
    expect(second.catalog.get('default-12345')).toBeUndefined();
    expect(second.list().map((f) => [f.id, f.publishedVersion])).toEqual([['callback-request', 1], ['default-12345', null], ['speech-navigation', 1]]);
  });

  it('seed creates and publishes once', () => {
    const flows = service();
    expect(flows.seed(defaultFlow())).toBe(true);
    expect(flows.seed(defaultFlow())).toBe(false);
    expect(flows.catalog.forNumber('12345')!.version).toBe(1);
    expect(flows.versions('default-12345').map((v) => [v.version, v.publishedBy, v.comment])).toEqual([[1, 'system', 'built-in default']]);
  });
});

describe('audio prompts (real PromptStore, sox)', () => {
  const withAudio = (): FlowDocument => {
    const doc = nav();
    doc.nodes.find((n) => n.id === 'welcome')!.props = { prompt: { file: 'welcome.wav' } };
    return doc;
  };

  it('missing audio blocks publishing until the file is uploaded', async () => {
    const flows = service();
    const issues = flows.create(withAudio(), 'alice');
    expect(issues.map((i) => [i.code, i.nodeId, i.path])).toEqual([['missing-audio', 'welcome', '/nodes/0/props/prompt/file']]);
    expect(thrownBy(() => flows.publish('speech-navigation', 'alice'))).toBeInstanceOf(FlowValidationError);

    const stored = await prompts.save('welcome.wav', soxWav(dir, 'upload.wav'));
    expect(stored.sampleRateHz).toBe(8000);
    expect(flows.validate(flows.get('speech-navigation').draft)).toEqual([]);
    const flow = flows.publish('speech-navigation', 'alice');
    const r = await simulateFlow(flow, { utterances: ['人工'] }, defaultNodeRegistry);
    expect(r.prompts[0]).toEqual({ nodeId: 'welcome', file: 'welcome.wav' });
  });

  it('a published version whose audio was deleted is skipped by load() and cannot be rolled back to', async () => {
    await prompts.save('welcome.wav', soxWav(dir, 'upload.wav'));
    const flows = service();
    flows.create(withAudio(), 'alice');
    flows.publish('speech-navigation', 'alice'); // v1 plays welcome.wav
    flows.saveDraft('speech-navigation', nav(), 'alice');
    flows.publish('speech-navigation', 'alice'); // v2 is TTS only
    unlinkSync(join(prompts.dir, 'welcome.wav'));
    expect(prompts.exists('welcome.wav')).toBe(false);

    const error = thrownBy(() => flows.rollback('speech-navigation', 1, 'alice'));
    expect(error).toBeInstanceOf(FlowValidationError);
    expect((error as FlowValidationError).issues.map((i) => i.code)).toEqual(['missing-audio']);
    expect(flows.catalog.forNumber('96345')!.version).toBe(2);
    expect(flows.history('speech-navigation').map((h) => h.action)).toEqual(['create', 'publish', 'publish']);

    // v1 current, its audio gone: a restart skips it and says why.
    const db = openDatabase(dbPath);
    open.push(db);
    db.prepare('UPDATE flows SET published_version = 1 WHERE id = ?').run('speech-navigation');
    const restarted = service();
    const skipped = restarted.load();
    expect(skipped.map((s) => [s.flowId, s.version, s.error.issues.map((i) => i.code)])).toEqual([['speech-navigation', 1, ['missing-audio']]]);
    expect(restarted.catalog.forNumber('96345')).toBeUndefined();
  });

  it('simulate runs the saved draft, or a given document, and refuses an invalid one', async () => {
    const flows = service();
    flows.create(withWelcome(nav(), '草稿欢迎语'), 'alice');
    const fromDraft = await flows.simulate('speech-navigation', undefined, { utterances: ['投诉'] });
    expect(fromDraft.prompts[0]!.text).toBe('草稿欢迎语');
    expect(fromDraft.path.map((s) => s.nodeId)).toEqual(['welcome', 'nav', 'queue', 'bye']);
    const fromDoc = await flows.simulate('speech-navigation', withWelcome(nav(), '临时文档'), { utterances: ['投诉'] });
    expect(fromDoc.prompts[0]!.text).toBe('临时文档');
    // (simulate throws synchronously for an invalid flow, and rejects for a bad time: accept either)
    await expect((async () => flows.simulate('speech-navigation', withAudio(), {}))()).rejects.toBeInstanceOf(FlowValidationError);
    await expect((async () => flows.simulate('speech-navigation', undefined, { at: 'yesterday' }))()).rejects.toBeInstanceOf(RangeError);
  });
});
