import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { flowJsonSchema } from '../../src/domain/ivr/flow-schema.js';

describe('schemas/flow.schema.json', () => {
  it('is what the code publishes (regenerate: npx tsx scripts/write-flow-schema.ts)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../schemas/flow.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(flowJsonSchema());
  });
});
