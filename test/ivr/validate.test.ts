/**
 * Flow validation, table-driven over the fixtures: every good flow validates with no issue, every
 * bad flow yields exactly the codes it promises, at the nodes it promises, with messages that
 * name the node, value or reason. The published JSON Schema agrees with the validator.
 */
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { compileFlow, FlowValidationError } from '../../src/domain/ivr/compile.js';
import { defaultFlow } from '../../src/domain/ivr/default-flow.js';
import { flowJsonSchema } from '../../src/domain/ivr/flow-schema.js';
import { validateFlow, withDefaults } from '../../src/domain/ivr/validate.js';
import { badFixtures, envWith, goodFixture, goodFixtureNames } from './helpers.js';


const ALL_CODES = [
  'schema', 'duplicate-id', 'missing-start', 'unknown-type', 'invalid-props', 'missing-exit', 'unknown-exit', 'missing-target',
  'unreachable', 'input-free-loop', 'missing-audio', 'bad-calendar', 'bad-time', 'bad-value',
];

const goods = [{ name: 'default-12345 (src)', key: 'good/default-12345', doc: (): unknown => defaultFlow() }]
  .concat(goodFixtureNames().map((name) => ({ name, key: `good/${name}`, doc: (): unknown => goodFixture(name) })));
const bads = badFixtures();

describe('good flows validate', () => {
  it('there are at least three good flows, the default one among them', () => {
    expect(goods.length).toBeGreaterThanOrEqual(4);
    expect(goodFixtureNames()).toEqual(expect.arrayContaining(['office-hours', 'speech-navigation']));
  });

  for (const g of goods) {
    it(`${g.name}: no issues, compiles to a frozen flow`, () => {
      const doc = g.doc();
      expect(validateFlow(doc, envWith())).toEqual([]);
      const flow = compileFlow(doc, 7, envWith());
      expect(flow.version).toBe(7);
      expect(flow.nodes.size).toBe((doc as { nodes: unknown[] }).nodes.length);
      expect(Object.isFrozen(flow)).toBe(true);
      expect(Object.isFrozen(flow.doc.nodes[0])).toBe(true);
    });
  }

});

describe('bad flows: each yields the issues its fixture expects', () => {
  it('every validation code has a bad fixture', () => {
    const covered = new Set(bads.flatMap((b) => b.expect.map((e) => e.code)));
    expect([...covered].sort()).toEqual([...ALL_CODES].sort());
  });

  for (const bad of bads) {
    it(`${bad.name}: ${bad.description}`, () => {
      const issues = validateFlow(bad.flow, envWith());
      // Exactly the expected codes (the fixture isolates one problem) …
      expect([...new Set(issues.map((i) => i.code))].sort()).toEqual([...new Set(bad.expect.map((e) => e.code))].sort());
      // … each expected issue is present at its node, with a telling message.
      for (const want of bad.expect) {
        const found = issues.filter((i) => i.code === want.code && (i.nodeId ?? null) === want.nodeId && (want.path === undefined || i.path === want.path));
        expect(found, `${want.code} at ${want.nodeId ?? 'flow level'} in ${JSON.stringify(issues)}`).not.toHaveLength(0);
        if (want.mentions !== undefined) {
          expect(found.some((i) => i.message.includes(want.mentions!)), `a message mentioning "${want.mentions}" in ${JSON.stringify(found)}`).toBe(true);
        }
      }
      for (const issue of issues) {
        expect(issue.message.trim().length).toBeGreaterThan(0);
        expect(issue.path).toMatch(/^\//);
        // A node-level issue's message or path names the node (by id or index).
        if (issue.nodeId !== undefined && issue.code !== 'schema') {
          const index = (bad.flow as { nodes: { id: string }[] }).nodes.findIndex((n) => n.id === issue.nodeId);
          expect(issue.path.startsWith(`/nodes/${index}`) || issue.message.includes(issue.nodeId), JSON.stringify(issue)).toBe(true);
        }
      }
      // compileFlow refuses it with every issue.
      let thrown: unknown;
      try {
        compileFlow(bad.flow, 1, envWith());
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FlowValidationError);
      expect((thrown as FlowValidationError).issues).toEqual(issues);
    });
  }

  it('missing audio is no issue once the files exist', () => {
    const bad = bads.find((b) => b.name === 'missing-audio')!;
    expect(validateFlow(bad.flow, envWith(['welcome-2026.wav'])).map((i) => i.nodeId)).toEqual(['menu']);
    expect(validateFlow(bad.flow, envWith(['welcome-2026.wav', 'invalid-key.wav']))).toEqual([]);
  });

  it('input that is not a flow at all gives schema issues, never an exception', () => {
    for (const input of [null, 42, 'flow', [], {}, { schemaVersion: 1, nodes: 'none' }]) {
      const issues = validateFlow(input, envWith());
      expect(issues.length, JSON.stringify(input)).toBeGreaterThan(0);
      expect(issues.every((i) => i.code === 'schema' && i.message.length > 0)).toBe(true);
    }
  });

  it('an emergency transfer to 110 is fine; to 12333 only as specialist', () => {
    const bad = structuredClone(bads.find((b) => b.name === 'bad-value-emergency-12333')!.flow) as { nodes: { props: Record<string, unknown> }[] };
    bad.nodes[1]!.props['kind'] = 'specialist';
    expect(validateFlow(bad, envWith())).toEqual([]);
    bad.nodes[1]!.props['kind'] = 'emergency';
    bad.nodes[1]!.props['destination'] = '110';
    expect(validateFlow(bad, envWith())).toEqual([]);
  });
});

describe('the published JSON Schema (flowJsonSchema) with a real JSON Schema validator', () => {
  // strict: false — ajv's strictTypes wants `type: "object"` beside the `properties` of each oneOf branch.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const check = ajv.compile(flowJsonSchema());

  /**
   * KNOWN BUG (src/domain/ivr/flow-schema.ts `flowJsonSchema`): props that have a `default`
   * (ticketStatus/survey `timeoutMs`, `retries`, collectDigits `interDigitTimeoutMs`, queue
   * `queue`/`priority`/`skills`, …) are still listed in `required`, so the published schema rejects
   * documents the server accepts (`validateFlow` applies the defaults first) — the shipped default
   * flow included (`/nodes/6` ticketStatus has no `timeoutMs`). (Defaulted props are not required in the published schema.)
   */
  for (const g of goods) {
    it(`accepts ${g.name}`, () => {
      expect(check(g.doc()), ajv.errorsText(check.errors)).toBe(true);
    });
  }

  it('accepts every good flow once the props defaults are written out (the only reason of the failures above)', () => {
    for (const g of goods) {
      const doc = g.doc() as { nodes: { type: string; props: unknown }[] };
      for (const node of doc.nodes) node.props = withDefaults(node.type, node.props);
      expect(check(doc), `${g.name}: ${ajv.errorsText(check.errors)}`).toBe(true);
    }
  });

  for (const name of ['schema-node-id', 'schema-language', 'unknown-type', 'invalid-props']) {
    it(`rejects ${name}`, () => {
      expect(check(bads.find((b) => b.name === name)!.flow)).toBe(false);
    });
  }
});
