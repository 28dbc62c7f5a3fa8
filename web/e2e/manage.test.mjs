// Managing tasks in numbers and over time (issue 17): clone a task (its secrets are not copied),
// start or stop several at once with a summary, compare two versions and restore one, a run in
// the address, and drafts that survive a closed form or an expired token. Its own server.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, createTask, launchBrowser, screenshot, screenshotModal, startSundial, until, watchedPage } from './harness.mjs';
import { popconfirmOk, row, settle, signInWithLink, toast } from './ui.mjs';

let sundial;
let browser;
let token;

before(async () => {
  sundial = await startSundial('manage');
  token = sundial.token({ tenant: 1, sub: 'e2e-manage' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sundial?.stop();
});

/** What the server's Content-Security-Policy blocked, on any page of these tests. */
const blockedByPolicy = [];
const newPage = () => watchedPage(browser.context, blockedByPolicy);
const create = (task) => createTask(sundial.base, token, task);
const get = async (uuid) => (await api(sundial.base, token, 'GET', `/${uuid}`)).body;
const modal = (page) => page.locator('.ant-modal-content');
const save = (page) => page.locator('.ant-modal-footer .ant-btn-primary').click();

async function signIn(page, lang = 'en-US') {
  await page.addInitScript((l) => localStorage.setItem('sundial.lang', l), lang);
  await signInWithLink(page, sundial.base, token);
}

test('clone opens the create form prefilled with a new code; secret values are not copied and must be entered again', async () => {
  const source = await create({
    name: 'Billing sync',
    code: 'billing-sync',
    description: 'Pushes invoices to the ledger',
    trigger_config: { cron: '15 3 * * *', timezone: 'Europe/Berlin' },
    task_config: {
      url: 'https://billing.example.com/sync',
      method: 'POST',
      headers: { Authorization: 'Bearer super-secret-value-123', Accept: 'application/json' },
      query: { region: 'eu', access_token: 'abcdefghijklmnop' },
      data: { full: true },
    },
  });
  const page = await newPage();
  await signIn(page);
  await row(page, 'billing-sync').getByTestId('clone').click();
  await modal(page).getByText('New task from “Billing sync”').waitFor();
  assert.equal(await page.locator('#task_code').inputValue(), 'billing-sync-copy');
  assert.equal(await page.locator('#task_name').inputValue(), 'Billing sync (copy)');
  assert.equal(await page.locator('#task_cron').inputValue(), '15 3 * * *');
  assert.equal(await page.locator('#task_url').inputValue(), 'https://billing.example.com/sync');
  const notice = page.getByTestId('clone-secrets');
  assert.match(await notice.innerText(), /Secret values are not copied[\s\S]*headers again: authorization\.[\s\S]*left out of the copy: access_token\./);
  // Header names come back lower-case from the server.
  const editor = page.getByTestId('headers-editor');
  const rows = async () => {
    const names = await editor.getByLabel('Name').evaluateAll((inputs) => inputs.map((i) => i.value));
    const values = await editor.getByLabel('Value').evaluateAll((inputs) => inputs.map((i) => i.value));
    return Object.fromEntries(names.map((name, i) => [name, values[i]]));
  };
  assert.deepEqual(await rows(), { authorization: '', accept: 'application/json' });
  await screenshotModal(page, 'clone-modal-1280', 1100);

  // Saving without the secret is refused in the form, before anything is sent.
  let posted = false;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/scheduled-tasks/')) posted = true;
  });
  await save(page);
  await modal(page).getByText('Enter the secret value of authorization again').waitFor();
  assert.equal(posted, false);
  const secretRow = Object.keys(await rows()).indexOf('authorization');
  await editor.getByLabel('Value').nth(secretRow).fill('Bearer new-secret-99');
  await save(page);
  await toast(page, 'Created “Billing sync (copy)”');
  const copy = (await api(sundial.base, token, 'GET', '/list?code=billing-sync-copy')).body.items[0];
  assert.equal(copy.name, 'Billing sync (copy)');
  assert.equal(copy.description, 'Pushes invoices to the ledger');
  assert.equal(copy.is_active, false, 'a clone starts stopped');
  assert.deepEqual(copy.trigger_config, source.trigger_config);
  // The new secret is the one typed (its mask ends in its last two characters), not the source's.
  assert.deepEqual(copy.task_config.headers, { authorization: '••••99', accept: 'application/json' });
  assert.deepEqual(copy.task_config.query, { region: 'eu' });
  assert.deepEqual(copy.task_config.data, { full: true });

  // From the drawer, in Chinese.
  await page.getByTestId('language-switch').getByText('中文').click();
  await page.getByTestId('task-name-billing-sync').click();
  await page.getByTestId('drawer-clone').click();
  await modal(page).getByText('从“Billing sync”新建任务').waitFor();
  assert.match(await page.getByTestId('clone-secrets').innerText(), /密钥值不会被复制[\s\S]*authorization/);
  assert.equal(await page.locator('#task_name').inputValue(), 'Billing sync（副本）');
  await page.close();
});

test('start and stop several selected tasks with one confirmation; the summary names each failure', async () => {
  const plain = await create({ name: 'Bulk plain', code: 'bulk-plain' });
  const long = await create({
    name: 'Bulk long',
    code: 'bulk-long',
    type: 'python_script',
    task_config: { script: 'import time\nprint("working", flush=True)\ntime.sleep(120)' },
    timeout_seconds: 300,
    retry_policy: { max_retries: 0, retry_delay_seconds: 1, backoff: 'fixed' },
  });
  // A date task whose instant passes before it is started: the server refuses to start it.
  const late = await create({
    name: 'Bulk late',
    code: 'bulk-late',
    trigger_type: 'date',
    trigger_config: { at: new Date(Date.now() + 3000).toISOString().replace(/\.\d+Z$/, 'Z') },
    is_active: false,
  });
  const run = (await api(sundial.base, token, 'POST', `/${long.uuid}/run`)).body;
  const runStatus = async () => (await api(sundial.base, token, 'GET', `/runs/${run.uuid}`)).body.status;
  await until(async () => (await runStatus()) === 'running', 30_000, 'the long run to start');

  const page = await newPage();
  await signIn(page);
  await row(page, 'bulk-long').getByText('Running').first().waitFor();
  await row(page, 'bulk-plain').locator('.ant-checkbox-input').check();
  await row(page, 'bulk-long').locator('.ant-checkbox-input').check();
  await page.getByTestId('bulk-stop').click();
  const question = page.locator('.ant-popover:not(.ant-popover-hidden)');
  await question.getByText('Stop 2 tasks?').waitFor();
  const cancel = question.locator('.ant-checkbox-wrapper');
  assert.equal(await cancel.innerText(), 'Also cancel runs in progress (1 running now)');
  assert.equal(await question.locator('input[type="checkbox"]').isChecked(), false, 'running runs finish unless asked');
  await cancel.click();
  await screenshot(page, 'bulk-stop-confirm-1280');
  await popconfirmOk(page).click();
  const summary = page.getByTestId('bulk-result');
  await summary.getByText('Stopped 2 of 2 tasks and cancelled their runs in progress').waitFor();
  assert.equal((await get(plain.uuid)).is_active, false);
  assert.equal((await get(long.uuid)).is_active, false);
  await until(async () => (await runStatus()) === 'cancelled', 30_000, 'the long run to be cancelled');
  await page.getByTestId('selected-count').waitFor({ state: 'detached' });

  await until(async () => Date.parse(late.trigger_config.at) < Date.now(), 10_000, 'the late task’s instant to pass');
  for (const code of ['bulk-plain', 'bulk-long', 'bulk-late']) await row(page, code).locator('.ant-checkbox-input').check();
  await page.getByTestId('bulk-start').click();
  await question.getByText('Start 3 tasks?').waitFor();
  await popconfirmOk(page).click();
  await summary.getByText('Started 2 of 3 tasks').waitFor();
  await summary.getByText('1 could not be started:').waitFor();
  const failure = await page.getByTestId('bulk-failed-bulk-late').innerText();
  assert.match(failure, /^Bulk late \(bulk-late\): .+/);
  assert.match(failure, /no run left/);
  assert.equal((await get(plain.uuid)).is_active, true);
  assert.equal((await get(long.uuid)).is_active, true);
  assert.equal((await get(late.uuid)).is_active, false);
  await settle(page);
  await screenshot(page, 'bulk-result-1280');

  // The same in Chinese.
  await page.getByTestId('language-switch').getByText('中文').click();
  await row(page, 'bulk-plain').locator('.ant-checkbox-input').check();
  await page.getByTestId('bulk-stop').click();
  await question.getByText('停止 1 个任务？').waitFor();
  await popconfirmOk(page).click();
  await summary.getByText('已停止 1/1 个任务').waitFor();
  await page.close();
});

test('the versions tab compares two versions field by field and restores one after confirmation', async () => {
  const task = await create({
    name: 'Report mailer',
    code: 'report-mailer',
    description: 'first words',
    trigger_config: { cron: '0 6 * * *', timezone: 'UTC' },
  });
  const updated = await api(sundial.base, token, 'PUT', `/${task.uuid}`, {
    version: task.version,
    description: 'second words',
    trigger_type: 'cron',
    trigger_config: { cron: '30 7 * * *', timezone: 'UTC' },
  });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));

  const page = await newPage();
  await signIn(page);
  await page.goto(`${sundial.base}/?task=${task.uuid}&tab=versions`);
  const drawer = page.locator('.ant-drawer-content');
  await drawer.getByTestId('version-2').getByText('current').waitFor();
  // The newest against the one before it, unless another pair is picked.
  assert.equal(await drawer.getByTestId('diff-from').locator('.ant-select-selection-item').innerText(), 'v1');
  assert.equal(await drawer.getByTestId('diff-to').locator('.ant-select-selection-item').innerText(), 'v2');
  await drawer.getByTestId('diff-toggle').click();
  const diff = drawer.getByTestId('version-diff');
  await diff.locator('tr.ant-table-row').nth(1).waitFor();
  const changes = await diff.locator('tr.ant-table-row').allInnerTexts();
  assert.deepEqual(
    changes.map((text) => text.split(/\t|\n/).filter(Boolean)),
    [
      ['description', 'changed', 'first words', 'second words'],
      ['trigger_config.cron', 'changed', '0 6 * * *', '30 7 * * *'],
    ],
  );
  await settle(page);
  await screenshot(page, 'version-diff-1280');

  // Restoring asks first, then writes version 3 with version 1's definition.
  await drawer.getByTestId('restore-1').click();
  await page.locator('.ant-popover:not(.ant-popover-hidden)').getByText('Restore version 1?').waitFor();
  assert.equal((await get(task.uuid)).version, 2, 'nothing changes before the question is answered');
  await popconfirmOk(page).click();
  await toast(page, 'Restored version 1 as version 3');
  await drawer.getByTestId('version-3').getByText('Restored').waitFor();
  await drawer.getByTestId('version-3').getByText('current').waitFor();
  const restored = await get(task.uuid);
  assert.equal(restored.version, 3);
  assert.equal(restored.trigger_config.cron, '0 6 * * *');
  assert.equal(restored.description, 'first words');
  await row(page, 'report-mailer').getByText('Every day at 06:00, UTC').waitFor();

  // Another pair, in Chinese: v2 → v3 undoes what v1 → v2 did.
  await page.locator('.ant-drawer-close').click();
  await page.getByTestId('language-switch').getByText('中文').click();
  await page.getByTestId('task-name-report-mailer').click();
  await drawer.getByRole('tab', { name: '版本' }).click();
  await drawer.getByTestId('version-compare').getByText('比较').waitFor();
  await drawer.getByTestId('diff-toggle').filter({ hasText: '显示差异' }).click();
  await drawer.getByRole('columnheader', { name: '字段' }).waitFor();
  await drawer.getByTestId('version-diff').getByText('30 7 * * *').first().waitFor();
  assert.equal(await drawer.getByTestId('diff-from').locator('.ant-select-selection-item').innerText(), 'v2');
  assert.equal(await drawer.getByTestId('diff-to').locator('.ant-select-selection-item').innerText(), 'v3');
  await drawer.getByTestId('version-diff').getByText('修改').first().waitFor();
  await page.close();
});

test('an open run is in the address: a link or a reload opens it again, even off the listed page', async () => {
  const task = await create({
    name: 'Run linker',
    code: 'run-linker',
    type: 'python_script',
    task_config: { script: 'print("linked")' },
    retry_policy: { max_retries: 0, retry_delay_seconds: 1, backoff: 'fixed' },
  });
  const runs = [];
  for (let i = 0; i < 2; i += 1) {
    const run = (await api(sundial.base, token, 'POST', `/${task.uuid}/run`)).body;
    await until(
      async () => (await api(sundial.base, token, 'GET', `/runs/${run.uuid}`)).body.status === 'succeeded',
      60_000,
      `run ${i + 1} to succeed`,
    );
    runs.push(run.uuid);
  }
  const [older, newer] = runs;
  const page = await newPage();
  await signIn(page);
  const drawer = page.locator('.ant-drawer-content');
  const openPanels = drawer.getByTestId('run-list').locator('.ant-collapse-item-active');
  // Newest first: the newer run's panel is the first (a closed panel's body, with its uuid, is not drawn).
  const newerPanel = drawer.getByTestId('run-list').locator('.ant-collapse-item').first();

  // A link to the older run opens it, not the newest.
  await page.goto(`${sundial.base}/?task=${task.uuid}&tab=runs&run=${older}`);
  await openPanels.filter({ hasText: older }).waitFor();
  assert.equal(await openPanels.count(), 1);
  await openPanels.locator('.log-text').filter({ hasText: 'linked' }).first().waitFor();
  await page.reload();
  await openPanels.filter({ hasText: older }).waitFor();
  assert.equal(await openPanels.count(), 1);

  // Opening another run puts it in the address; closing it takes it out.
  await newerPanel.locator('.ant-collapse-header').click();
  await page.waitForFunction((uuid) => new URLSearchParams(location.search).get('run') === uuid, newer);
  await newerPanel.locator('.ant-collapse-header').click();
  await page.waitForFunction(() => !new URLSearchParams(location.search).has('run'));

  // A run not among those listed (here: filtered out) is still shown, apart.
  await page.goto(`${sundial.base}/?task=${task.uuid}&tab=runs&run=${older}`);
  await openPanels.filter({ hasText: older }).waitFor();
  await drawer.getByTestId('run-status-filter').click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: /^Failed$/ }).click();
  await drawer.getByTestId('linked-run').filter({ hasText: older }).waitFor();
  assert.equal(new URLSearchParams(new URL(page.url()).search).get('run'), older);

  // The Runs page links each run to its task's drawer with that run open.
  await page.goto(`${sundial.base}/?view=runs&task=${task.uuid}`);
  await page.getByTestId(`run-task-${older}`).click();
  await openPanels.filter({ hasText: older }).waitFor();
  assert.equal(new URLSearchParams(new URL(page.url()).search).get('run'), older);
  await page.close();
});

test('a form’s draft outlives an expired token and a closed form, without its secrets; closing a changed form asks', async () => {
  const page = await newPage();
  await page.addInitScript(() => localStorage.setItem('sundial.lang', 'en-US'));
  await signInWithLink(page, sundial.base, sundial.token({ tenant: 1, sub: 'e2e-draft', ttl: '20s' }));
  // Less than five minutes left: the header says when the sign-in ends.
  const warning = page.getByTestId('token-expiry');
  await warning.waitFor();
  assert.match(await warning.innerText(), /^Your sign-in ends at \d\d:\d\d:\d\d\. Sign in again/);
  await screenshot(page, 'token-expiry-warning-1280');

  await page.getByTestId('new-task').click();
  await page.locator('#task_name').fill('Draft survivor');
  await page.locator('#task_code').fill('draft-survivor');
  await page.locator('#task_url').fill('https://api.example.com/draft');
  const editor = page.getByTestId('headers-editor');
  await editor.getByRole('button', { name: /Add header/ }).click();
  await editor.getByLabel('Name').first().fill('Authorization');
  await editor.getByLabel('Value').first().fill('Bearer draft-secret-42');

  // The token ends while the form is open: back to sign-in, the draft kept, its secret not.
  await page.getByTestId('sign-in').waitFor({ timeout: 30_000 });
  await page.getByText('This token has expired; mint a new one.').waitFor();
  const drafts = await page.evaluate(() => Object.entries(sessionStorage).filter(([key]) => key.startsWith('sundial.draft.')));
  assert.equal(drafts.length, 1);
  assert.match(drafts[0][1], /Draft survivor/);
  assert.ok(!drafts[0][1].includes('draft-secret-42'), 'no secret value in session storage');

  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: /Sign in/ }).click();
  await page.getByTestId('new-task').click();
  const restored = page.getByTestId('draft-restored');
  await restored.waitFor();
  assert.match(await restored.innerText(), /Your unsaved changes from \d\d:\d\d:\d\d are back\.\s+Secret values are not kept in drafts: enter Authorization again\./);
  assert.equal(await page.locator('#task_name').inputValue(), 'Draft survivor');
  assert.equal(await page.locator('#task_url').inputValue(), 'https://api.example.com/draft');
  assert.equal(await editor.getByLabel('Value').first().inputValue(), '');
  await screenshotModal(page, 'draft-restored-1280', 1100);

  // Esc on a changed form asks; keeping on editing keeps everything.
  await page.keyboard.press('Escape');
  const confirm = page.locator('.ant-modal-confirm');
  await confirm.locator('.ant-modal-confirm-title').filter({ hasText: 'Discard your changes?' }).waitFor();
  await confirm.getByRole('button', { name: 'Keep editing' }).click();
  await confirm.waitFor({ state: 'detached' });
  assert.equal(await page.locator('#task_name').inputValue(), 'Draft survivor');
  // Cancel asks too; Discard closes the form and forgets the draft.
  await page.locator('.ant-modal-footer .ant-btn:not(.ant-btn-primary)').click();
  await confirm.getByRole('button', { name: 'Discard' }).click();
  await page.locator('#task_name').waitFor({ state: 'detached' });
  await page.getByTestId('new-task').click();
  assert.equal(await page.locator('#task_name').inputValue(), '');
  assert.equal(await restored.count(), 0);
  // An unchanged form closes without a question.
  await page.locator('#task_name').focus();
  await page.keyboard.press('Escape');
  await page.locator('#task_name').waitFor({ state: 'detached' });
  assert.equal(await confirm.count(), 0);

  // In Chinese.
  await page.getByTestId('language-switch').getByText('中文').click();
  await page.getByTestId('new-task').click();
  await page.locator('#task_name').fill('草稿');
  await page.keyboard.press('Escape');
  await confirm.locator('.ant-modal-confirm-title').filter({ hasText: '放弃您的修改？' }).waitFor();
  // antd spaces out a two-character Chinese button label.
  await confirm.getByRole('button', { name: /^放\s?弃$/ }).click();
  await page.locator('#task_name').waitFor({ state: 'detached' });
  await page.close();
});

test('nothing these pages did was blocked by the Content-Security-Policy', () => {
  assert.deepEqual(blockedByPolicy, []);
});
