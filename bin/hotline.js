#!/usr/bin/env node
// `hotline <command>`: serve | demo | extract. Runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/hotline.ts');
process.exitCode = await main(process.argv.slice(2));
