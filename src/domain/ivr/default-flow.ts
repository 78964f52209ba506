/** The built-in 12345 flow, shipped as data (`flows/default-12345.json`) and seeded on first start. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FlowDocument } from './flow-schema.js';

export const DEFAULT_FLOW_PATH = join(dirname(fileURLToPath(import.meta.url)), 'flows', 'default-12345.json');

/** A fresh copy of the default flow document (not validated here; validation happens on publish). */
export function defaultFlow(): FlowDocument {
  return JSON.parse(readFileSync(DEFAULT_FLOW_PATH, 'utf8')) as FlowDocument;
}
