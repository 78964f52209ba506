/**
 * The visual flow editor in real Chromium (playwright-core, Debian's /usr/bin/chromium) against the
 * real server and the FreeSWITCH simulator: build a small flow, see a validation error on its node,
 * fix it, publish, then a simulated call to the flow's number follows the new flow. A screenshot of
 * the editor showing the error is kept in `test-artifacts/flow-editor/`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startLab, type Lab } from '../../src/cli/lab.js';
import { PassthroughRecognizer } from '../../src/speech/passthrough.js';
import { EspeakSynthesizer } from '../../src/speech/tts.js';
import { createTicketDrafterFactory } from '../../src/domain/tickets/intelligence/index.js';
import { EDITOR_DIST_DIR } from '../../src/routes/admin-editor.js';
import type { CallProgress } from '../../src/domain/events.js';
import { decodeWav } from '../../src/speech/wav.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'flow-editor');
/** What the admin types as the new prompt; the call must play exactly its TTS rendering. */
const NOTICE_TEXT = '东风路片区今天停水，预计晚上八点恢复供水。';

let lab: Lab;
let tts: EspeakSynthesizer;
let browser: BrowserContext;
let page: Page;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium (see .ci/run)`);
  if (!existsSync(join(EDITOR_DIST_DIR, 'index.html'))) throw new Error('editor not built: npm run build:web (npm test does it)');
  dir = mkdtempSync(join(tmpdir(), 'hotline-editor-'));
  tts = new EspeakSynthesizer({ cacheDir: join(process.cwd(), '.cache/prompts') });
  lab = await startLab({
    engines: { recognizer: new PassthroughRecognizer({ languages: ['*'] }), tts, drafterFactory: createTicketDrafterFactory() },
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    speed: 4,
    config: {
      hotlineNumbers: ['12345', '12346'],
      storage: { dbPath: join(dir, 'hotline.sqlite'), recordingsDir: join(dir, 'recordings'), promptsDir: join(process.cwd(), '.cache/prompts'), audioDir: join(dir, 'audio') },
    },
  });
  browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'hotline-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1500, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await lab?.close();
});

/** Drag from a node's exit handle to another node's input handle (React Flow connection). */
async function connect(fromNode: string, exit: string, toNode: string): Promise<void> {
  const from = await page.locator(`[data-testid=exit-${fromNode}-${exit}] .react-flow__handle`).boundingBox();
  const to = await page.locator(`[data-testid=node-${toNode}] .ivr-handle-in`).boundingBox();
  if (!from || !to) throw new Error(`handles of ${fromNode}.${exit} → ${toNode} not on screen`);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  await page.mouse.up();
}

async function fitView(): Promise<void> {
  await page.locator('.react-flow__controls-fitview').click();
}

describe('flow editor in Chromium', () => {
  it('build a flow, see the validation error on the node, fix it, publish; a call follows the new flow', async () => {
    await page.goto(`${lab.server.url}/admin/flows/?token=admin-demo`);
    await page.getByTestId('node-greeting').waitFor();

    // A new flow for the district water-outage line 12346: greeting → bye from the template.
    await page.getByTestId('btn-new').click();
    await page.getByTestId('new-id').fill('water-notice');
    await page.getByTestId('new-name').fill('停水通知专线');
    await page.getByTestId('new-number').fill('12346');
    await page.getByTestId('new-create').click();
    await page.getByTestId('node-bye').waitFor();

    // Add a play node and type the notice into its props form.
    await page.getByTestId('palette-play').click();
    await page.getByTestId('node-play_1').waitFor();
    const textInput = page.getByTestId('props-form').locator('input[type=text], textarea').last();
    await textInput.fill(NOTICE_TEXT);
    await fitView();

    // Validate: the new node is not wired → errors drawn on it.
    await page.getByTestId('btn-validate').click();
    const nodeError = page.getByTestId('node-error-play_1');
    await nodeError.waitFor();
    expect(await nodeError.innerText()).toMatch(/not connected|cannot be reached/);
    await page.screenshot({ path: join(ARTIFACTS, 'validation-error.png') });

    // Fix: greeting → play_1 → bye.
    await connect('greeting', 'next', 'play_1');
    await connect('play_1', 'next', 'bye');
    await page.getByTestId('btn-validate').click();
    await expect.poll(() => page.getByTestId('node-error-play_1').count(), { timeout: 10_000 }).toBe(0);

    await page.getByTestId('btn-publish').click();
    await expect.poll(() => page.getByTestId('status').innerText(), { timeout: 10_000 }).toMatch(/v1/);
    await page.screenshot({ path: join(ARTIFACTS, 'published.png') });

    // The server now answers 12346 with the published version.
    const published = lab.server.flows.get('water-notice');
    expect(published.publishedVersion).toBe(1);
    const steps: string[] = [];
    const call = lab.sim.placeCall({ caller: '13800000009', destination: '12346' });
    lab.server.events.on('call', (e: CallProgress) => {
      if (e.callUuid === call.uuid && e.type === 'ivr' && e.detail !== undefined && !e.step.includes(':')) steps.push(e.detail);
    });
    const result = await call.ended;
    await lab.server.hotline.whenIdle();
    expect(steps).toEqual(['greeting', 'play_1', 'bye']);
    expect(lab.server.repos.getCall(call.uuid)).toMatchObject({ flowId: 'water-notice', flowVersion: 1, destination: '12346' });
    // The second prompt played is the rendering of the text typed in the browser.
    expect(result.log.prompts.map((p) => p.file)[1]).toBe(await tts.synthesize(NOTICE_TEXT, 'cmn'));
    expect(result.hangupCause).toBe('NORMAL_CLEARING');
    expect(statSync(join(ARTIFACTS, 'validation-error.png')).size).toBeGreaterThan(10_000);
  }, 120_000);

  it('uploads a WAV prompt from the palette: stored converted to 8 kHz mono and listed', async () => {
    const wav = join(dir, '停水 notice.wav');
    execFileSync('sox', ['-n', '-r', '44100', '-c', '2', '-b', '16', wav, 'synth', '1.2', 'sine', '440']);
    await page.getByTestId('prompt-upload').setInputFiles(wav);
    // The name is made safe for FreeSWITCH paths: ASCII letters, digits and `_.-` only (停水 → dropped).
    await expect.poll(() => page.getByTestId('prompt-list').innerText(), { timeout: 10_000 }).toContain('notice.wav');
    expect(await page.getByTestId('status').innerText()).toMatch(/1\.2/);
    const stored = decodeWav(readFileSync(lab.server.prompts.path('notice.wav')));
    expect(stored).toMatchObject({ sampleRateHz: 8000, channels: 1 });
    expect(stored.samples.length / 8000).toBeCloseTo(1.2, 1);
  }, 60_000);
});
