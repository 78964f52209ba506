// Dev-only: open the editor in headless Chromium, run a few steps, save screenshots.
// Usage: node src/web/admin/dev/shot.mjs [baseUrl] [outDir]
import { chromium } from 'playwright-core';
import { mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.argv[2] ?? 'http://127.0.0.1:8099';
const out = process.argv[3] ?? '/tmp/editor-shots';
await mkdir(out, { recursive: true });
const ctx = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), 'chr-')), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  viewport: { width: 1500, height: 900 },
});
const page = ctx.pages()[0] ?? (await ctx.newPage());
page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && console.log('console.' + m.type(), m.text()));
page.on('pageerror', (e) => console.log('pageerror', e.message));
const shot = async (name) => { await page.screenshot({ path: join(out, `${name}.png`) }); console.log('shot', name); };
const status = async () => console.log('status:', await page.getByTestId('status').textContent());

const step = process.env.STEP ?? 'basic';
if (step === 'login') {
  await page.goto(`${base}/admin/flows/`);
  await page.waitForSelector('[data-testid=login]');
  await shot('login');
  await page.getByTestId('login-token').fill('wrong');
  await page.getByTestId('login-submit').click();
  await page.waitForSelector('[data-testid=login-error]');
  await shot('login-error');
  await page.getByTestId('login-token').fill('admin-demo');
  await page.getByTestId('login-submit').click();
  await page.waitForSelector('[data-testid=node-greeting]');
  await status();
}
if (step === 'basic') {
  await page.goto(`${base}/admin/flows/?token=admin-demo`);
  await page.waitForSelector('[data-testid=node-greeting]');
  await page.waitForTimeout(500);
  await status();
  await shot('loaded');
  await page.getByTestId('node-mainMenu').click();
  await page.waitForTimeout(300);
  await shot('menu-selected');
}
if (step === 'tour') {
  await page.goto(`${base}/admin/flows/?token=admin-demo`);
  await page.waitForSelector('[data-testid=node-greeting]');
  await page.getByTestId('btn-layout').click();
  await page.waitForTimeout(600);
  await shot('01-layout');
  await page.getByTestId('node-mainMenu').click();
  await page.waitForTimeout(200);
  await shot('02-menu-selected');
  // drag a play node from the palette onto the canvas
  const canvas = await page.getByTestId('canvas').boundingBox();
  await page.getByTestId('palette-play').dragTo(page.getByTestId('canvas'), { targetPosition: { x: canvas.width - 250, y: 120 } });
  await page.waitForSelector('[data-testid=node-play_1]');
  console.log('dropped play_1; dirty:', await page.getByTestId('dirty').isVisible());
  await page.getByTestId('btn-validate').click();
  await page.waitForSelector('[data-testid=node-error-play_1]');
  await status();
  console.log('node errors:', await page.getByTestId('node-error-play_1').innerText());
  await shot('03-validate-errors');
  // connect play_1.next → goodbye
  const from = await page.locator('[data-testid=exit-play_1-next] .react-flow__handle').boundingBox();
  const to = await page.locator('[data-testid=node-goodbye] .ivr-handle-in').boundingBox();
  await page.mouse.move(from.x + 5, from.y + 5);
  await page.mouse.down();
  await page.mouse.move(to.x + 3, to.y + 3, { steps: 10 });
  await page.mouse.up();
  await page.waitForTimeout(200);
  console.log('edge count:', await page.locator('.react-flow__edge').count());
  // move play_1 by drag; then save
  const fetchPlay = () => page.evaluate(async () => (await (await fetch('/admin/api/flows/default-12345', { headers: { authorization: 'Bearer admin-demo' } })).json()).draft.nodes.find((n) => n.id === 'play_1'));
  await page.getByTestId('btn-save').click();
  await page.waitForTimeout(300);
  const before = (await fetchPlay()).position;
  const box = await page.getByTestId('node-play_1').boundingBox();
  await page.mouse.move(box.x + 40, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + 40, box.y + 110, { steps: 8 });
  await page.mouse.up();
  await page.getByTestId('btn-save').click();
  await page.waitForTimeout(400);
  await status();
  const saved = await fetchPlay();
  console.log('saved play_1:', JSON.stringify(saved), 'moved from', JSON.stringify(before));
  await shot('04-saved');
  // delete play_1 with the Delete key
  await page.getByTestId('node-play_1').click();
  await page.keyboard.press('Delete');
  await page.waitForTimeout(200);
  console.log('play_1 gone:', (await page.getByTestId('node-play_1').count()) === 0);
  await page.getByTestId('publish-comment').fill('改主菜单');
  await page.getByTestId('btn-publish').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.textContent?.includes('v2'));
  await status();
  await page.getByTestId('btn-versions').click();
  await page.waitForSelector('[data-testid=version-2]');
  await shot('05-versions');
  await page.getByTestId('btn-rollback-1').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.textContent?.includes('v1'));
  await status();
  await page.getByTestId('versions-dialog-close').click();
  await page.getByTestId('btn-simulate').click();
  await page.getByTestId('sim-keys').fill('1,4');
  await page.getByTestId('sim-queue').selectOption('completed');
  await page.getByTestId('sim-run').click();
  await page.waitForSelector('[data-testid=sim-result]');
  await page.waitForTimeout(600);
  console.log('sim path:', (await page.getByTestId('sim-path').innerText()).replace(/\n/g, ' | '));
  await status();
  await shot('06-simulate');
  await page.getByTestId('simulate-close').click();
  await page.getByTestId('node-queue').click();
  await page.getByTestId('node-label-input').fill('排队 (edited)');
  await page.getByTestId('btn-lang').click();
  console.log('label kept after language switch:', await page.getByTestId('node-label-input').inputValue(), 'dirty:', await page.getByTestId('dirty').count());
  await page.waitForTimeout(200);
  await status();
  await shot('07-english');
  await page.getByTestId('btn-new').click();
  await page.getByTestId('new-id').fill('test-flow');
  await page.getByTestId('new-name').fill('Test flow');
  await page.getByTestId('new-number').fill('12399');
  await page.getByTestId('new-create').click();
  await page.waitForSelector('[data-testid=node-bye]');
  await status();
  await shot('08-new-flow');
}
if (step === 'forms') {
  await page.goto(`${base}/admin/flows/?token=admin-demo`);
  await page.waitForSelector('[data-testid=node-greeting]');
  await page.getByTestId('node-mainMenu').click();
  await page.waitForTimeout(300);
  console.log('dirty after select:', await page.getByTestId('dirty').count());
  await page.getByTestId('node-condition_x').count();
  for (const type of ['play', 'menu', 'collectDigits', 'speechMenu', 'condition', 'setVariable', 'announcement', 'queue', 'voicebot', 'transfer', 'ticketStatus', 'survey', 'hangup']) {
    await page.getByTestId(`palette-${type}`).click();
    await page.waitForSelector(`[data-testid=node-${type}_1]`);
    await page.waitForTimeout(150);
    const form = await page.getByTestId('props-form').innerText();
    const bad = /Unsupported|Unknown field/.test(form);
    console.log(type, bad ? 'UNSUPPORTED FIELD' : 'ok', (await page.getByTestId('props-form').locator('input,select,textarea').count()) + ' inputs');
    if (['speechMenu', 'condition', 'transfer', 'announcement'].includes(type)) await page.getByTestId('props-form').screenshot({ path: join(out, `form-${type}.png`) });
  }
  await page.getByTestId('btn-save').click();
  await page.waitForTimeout(400);
  const d = await page.evaluate(async () => (await (await fetch('/admin/api/flows/default-12345', { headers: { authorization: 'Bearer admin-demo' } })).json()).draft.nodes.filter((n) => n.id.endsWith('_1')));
  for (const n of d) console.log(n.id, JSON.stringify(n.props));
  await page.getByTestId('btn-validate').click();
  await page.waitForTimeout(400);
  await status();
  console.log((await page.getByTestId('issues-panel').innerText()).split('\n').filter((l) => !l.includes('cannot be reached') && !l.includes('not connected')).join(' / '));
}
await ctx.close();
