/** Writes the published flow JSON Schema to schemas/flow.schema.json (`npx tsx scripts/write-flow-schema.ts`). */
import { writeFileSync } from 'node:fs';
import { flowJsonSchema } from '../src/domain/ivr/flow-schema.js';

writeFileSync(new URL('../schemas/flow.schema.json', import.meta.url), `${JSON.stringify(flowJsonSchema(), null, 2)}\n`);
