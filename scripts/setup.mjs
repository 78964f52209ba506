#!/usr/bin/env node
// Installs what the demo needs when it is missing: Debian packages (as root, through apt-get) and npm packages.
// Idempotent and quiet when everything is present.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const debs = {
  pocketsphinx: '/usr/lib/x86_64-linux-gnu/libpocketsphinx.so.3',
  'pocketsphinx-en-us': '/usr/share/pocketsphinx/model/en-us/en-us/mdef',
  'pocketsphinx-testdata': '/usr/share/pocketsphinx/test/data/librivox/transcription',
  'espeak-ng': '/usr/bin/espeak-ng',
  sox: '/usr/bin/sox',
};
const missing = Object.entries(debs).filter(([, path]) => !existsSync(path)).map(([name]) => name);
if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(`setup: missing Debian packages: ${missing.join(' ')}. Run: sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  console.log(`setup: installing ${missing.join(' ')} with apt-get …`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}
if (!existsSync('node_modules/.package-lock.json')) {
  console.log('setup: installing npm packages …');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (!existsSync('dist/admin/index.html')) {
  console.log('setup: building the flow editor (vite) …');
  const r = spawnSync('npx', ['vite', 'build', '--config', 'src/web/admin/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
