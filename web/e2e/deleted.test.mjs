// Deleted tasks (issue 17): the tenant's tasks deleted within the run-retention period, reached
// from the task list, and an admin's restore (the task comes back stopped); a restore whose code
// a live task has taken again says so. Its own server, so the tenant's deleted tasks are these
// tests' alone.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, createTask, launchBrowser, screenshot, startSundial, until, watchedPage } from './harness.mjs';
import { popconfirmOk, row, settle, signInWithLink, toast } from './ui.mjs';

let sundial;
let browser;
let token;

before(async () => {
  sundial = await startSundial('deleted');
  token = sundial.token({ tenant: 1, sub: 'e2e-deleted' });
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
const deletedTasks = async (query = '') => (await api(sundial.base, token, 'GET', `/deleted${query}`)).body;

/** The row of the deleted task with this code. */
const deletedRow = (page, code) => page.locator('tr.ant-table-row').filter({ has: page.getByTestId(`deleted-name-${code}`) });
const restoreError = (page) => page.getByTestId('restore-error');
const openPopconfirm = (page) => page.locator('.ant-popover:not(.ant-popover-hidden)');

async function signIn(page, signInToken = token, lang = 'en-US') {
  await page.addInitScript((l) => localStorage.setItem('sundial.lang', l), lang);
  await signInWithLink(page, sundial.base, signInToken);
}

test('a task deleted in the list is listed with when and by whom, and an admin restores it, stopped', async () => {
  const task = await create({ name: 'Nightly export', code: 'nightly-export', trigger_config: { cron: '0 2 * * *', timezone: 'UTC' } });
  assert.equal(task.is_active, true);
  const page = await newPage();
  await signIn(page);
  await row(page, 'nightly-export').getByTestId('delete').click();
  await popconfirmOk(page).click();
  await toast(page, 'Deleted “Nightly export”');

  // From the list to its deleted tasks; the address says so, and a reload keeps it.
  await page.getByTestId('open-deleted').click();
  await page.waitForURL((url) => url.search === '?view=deleted');
  await page.reload();
  const listed = deletedRow(page, 'nightly-export');
  await listed.waitFor();
  const [deleted] = (await deletedTasks()).items;
  assert.equal(deleted.uuid, task.uuid);
  const cells = (await listed.innerText()).split(/\t|\n/).map((text) => text.trim()).filter(Boolean);
  assert.deepEqual([cells[0], cells[1], cells[2]], ['Nightly export', 'nightly-export', 'HTTP call']);
  assert.ok(cells.includes('Every day at 02:00, UTC'), cells.join(' | '));
  assert.equal(await page.getByTestId('deleted-by-nightly-export').innerText(), 'e2e-deleted');
  // When: relative, the exact time in the reader's zone (Asia/Shanghai, UTC+8) on hover.
  const deletedAt = page.getByTestId('deleted-at-nightly-export');
  assert.equal(await deletedAt.getAttribute('data-instant'), deleted.deleted_at);
  assert.match(await deletedAt.innerText(), /^(now|\d+ seconds? ago)$/);
  await deletedAt.hover();
  const exact = new Date(Date.parse(deleted.deleted_at) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
  await page.locator('.ant-tooltip:not(.ant-tooltip-hidden)').filter({ hasText: `${exact} (Asia/Shanghai)` }).waitFor();

  // Restoring asks first.
  await page.getByTestId('restore-nightly-export').click();
  await openPopconfirm(page).getByText('Restore “Nightly export”?').waitFor();
  assert.equal((await api(sundial.base, token, 'GET', `/${task.uuid}`)).status, 404, 'nothing is restored before the question is answered');
  await popconfirmOk(page).click();
  await toast(page, 'Restored “Nightly export”: it is in the task list, stopped.');
  await listed.waitFor({ state: 'detached' });
  await page.getByTestId('deleted-table').getByText('No task was deleted within the time runs are kept.').waitFor();
  assert.deepEqual((await deletedTasks()).items, []);

  // Back in the list, stopped.
  await page.getByTestId('page-back').click();
  await page.waitForURL((url) => url.search === '');
  await page.locator('[data-testid="active-nightly-export"][aria-checked="false"]').waitFor();
  const restored = (await api(sundial.base, token, 'GET', `/${task.uuid}`)).body;
  assert.equal(restored.is_active, false);
  assert.equal(restored.next_run_at, null);
  await page.close();
});

test('restoring a task whose code a live task has taken again says so, in English and in Chinese', async () => {
  const old = await create({ name: 'Weekly digest', code: 'weekly-digest', trigger_config: { cron: '0 8 * * 1', timezone: 'UTC' } });
  assert.equal((await api(sundial.base, token, 'DELETE', `/${old.uuid}`)).status, 204);
  await create({ name: 'Weekly digest v2', code: 'weekly-digest', trigger_config: { cron: '0 9 * * 1', timezone: 'UTC' } });
  const script = await create({ name: 'Stale cleanup', code: 'stale-cleanup', type: 'python_script', task_config: { script: 'print(1)' } });
  assert.equal((await api(sundial.base, token, 'DELETE', `/${script.uuid}`)).status, 204);

  const page = await newPage();
  await signIn(page);
  await page.goto(`${sundial.base}/?view=deleted`);
  await deletedRow(page, 'stale-cleanup').getByText('Python script').waitFor();
  await page.getByTestId('restore-weekly-digest').click();
  await popconfirmOk(page).click();
  const error = restoreError(page);
  await error.getByText('Could not restore “Weekly digest”').waitFor();
  await error.getByText('A live task has the code “weekly-digest” now: rename or delete that task, then restore this one.').waitFor();
  await deletedRow(page, 'weekly-digest').waitFor();
  assert.deepEqual(
    (await deletedTasks()).items.map((task) => task.code),
    ['stale-cleanup', 'weekly-digest'],
    'still deleted, the most recently deleted first',
  );
  await settle(page);
  await screenshot(page, 'deleted-tasks-1280');

  // The reason follows the language; a restore asked in Chinese is refused in Chinese.
  await page.getByTestId('language-switch').getByText('中文').click();
  await error.getByText('编码“weekly-digest”已被一个现有任务占用：请先重命名或删除那个任务，再恢复此任务。').waitFor();
  await error.locator('.ant-alert-close-icon').click();
  await error.waitFor({ state: 'detached' });
  await page.getByRole('columnheader', { name: '删除时间' }).waitFor();
  await page.getByTestId('restore-weekly-digest').click();
  await openPopconfirm(page).getByText('恢复“Weekly digest”？').waitFor();
  await popconfirmOk(page).click();
  await error.getByText('无法恢复“Weekly digest”').waitFor();
  await error.getByText('编码“weekly-digest”已被一个现有任务占用：请先重命名或删除那个任务，再恢复此任务。').waitFor();
  await settle(page);
  await screenshot(page, 'deleted-tasks-zh-CN-1280');

  // The alert leads to the live task that holds the code.
  await error.getByTestId('show-code-holder').click();
  await page.waitForURL((url) => url.search === '?keyword=weekly-digest');
  await page.getByTestId('task-name-weekly-digest').filter({ hasText: 'Weekly digest v2' }).waitFor();
  await page.close();
});

test('viewers and operators see the deleted tasks without Restore; the page is in the address', async () => {
  const tasks = [];
  for (let i = 1; i <= 21; i += 1) tasks.push(await create({ name: `Bulk ${i}`, code: `bulk-${String(i).padStart(2, '0')}` }));
  assert.equal((await api(sundial.base, token, 'POST', '/batch-delete', { uuids: tasks.map((task) => task.uuid) })).status, 200);
  const { total } = await deletedTasks();
  assert.ok(total > 21, `${total} deleted tasks`);

  const viewer = await newPage();
  await signIn(viewer, sundial.token({ tenant: 1, role: 'viewer', sub: 'e2e-viewer' }));
  await viewer.getByTestId('open-deleted').click();
  await viewer.getByTestId('deleted-admin-only').getByText('Only admins can restore a deleted task.').waitFor();
  await viewer.getByText(`${total} deleted tasks`).waitFor();
  assert.equal(await viewer.locator('tr.ant-table-row').count(), 20);
  assert.equal(await viewer.locator('[data-testid^="restore-"]').count(), 0, 'no Restore buttons');
  assert.equal(await viewer.getByRole('columnheader', { name: 'Actions' }).count(), 0);
  // The second page, in the address and through a reload.
  await viewer.locator('.ant-pagination-item-2').click();
  await viewer.waitForURL((url) => url.search === '?view=deleted&page=2');
  await until(async () => (await viewer.locator('tr.ant-table-row').count()) === total - 20, 5000, 'the second page');
  await viewer.reload();
  await viewer.locator('.ant-pagination-item-2.ant-pagination-item-active').waitFor();
  await until(async () => (await viewer.locator('tr.ant-table-row').count()) === total - 20, 5000, 'the second page after a reload');
  await viewer.close();

  const operator = await newPage();
  await signIn(operator, sundial.token({ tenant: 1, role: 'operator', sub: 'e2e-operator' }));
  await operator.goto(`${sundial.base}/?view=deleted&page_size=50`);
  await operator.getByTestId('deleted-admin-only').waitFor();
  await until(async () => (await operator.locator('tr.ant-table-row').count()) === total, 5000, `${total} rows on one page`);
  assert.equal(await operator.locator('[data-testid^="restore-"]').count(), 0, 'no Restore buttons');
  await operator.close();
});

test('nothing these pages did was blocked by the Content-Security-Policy', () => {
  assert.deepEqual(blockedByPolicy, []);
});
