// Chains (issue 18) in Chromium: an admin links two tasks in the drawer's Chains tab, a cycle
// back is refused under the row that would close it, a run of the parent queues the child's
// run, the run drawer links the two runs both ways, and deleting the child lists the links it
// removes before it asks. Its own server; ~15 s.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, createTask, launchBrowser, screenshot, startSundial, until, watchedPage } from './harness.mjs';
import { popconfirmOk, row, settle, signInWithLink, toast } from './ui.mjs';

let sundial;
let browser;
let token;

before(async () => {
  sundial = await startSundial('chains');
  token = sundial.token({ tenant: 1, sub: 'e2e-chains' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sundial?.stop();
});

const blockedByPolicy = [];
const newPage = () => watchedPage(browser.context, blockedByPolicy);
const yearly = { trigger_config: { cron: '0 0 1 1 *', timezone: 'UTC' } };
const script = (name, code, source) =>
  createTask(sundial.base, token, { name, code, type: 'python_script', task_config: { script: source }, ...yearly });

/** Picks the task `code` in the chain row's task picker, searching for it. */
async function pickTask(page, picker, code, label) {
  await picker.click();
  await page.keyboard.type(code);
  await page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')
    .filter({ hasText: label })
    .first()
    .click();
}

test('an admin chains two tasks, a cycle is refused, the runs link both ways, and a delete lists the links first', async () => {
  const extract = await script('Extract orders', 'extract', "import os\nos.write(3, b'{\"rows\": 42}')\n");
  const load = await script('Load warehouse', 'load', 'import json, os\nprint(json.loads(os.environ["SUNDIAL_CONTEXT"])["parent"]["result"])\n');

  const page = await newPage();
  await page.addInitScript(() => localStorage.setItem('sundial.lang', 'en-US'));
  await signInWithLink(page, sundial.base, token);
  const drawer = page.locator('.ant-drawer-content');

  // Extract → Load, on success, from Extract's Chains tab.
  await page.getByTestId('task-name-extract').click();
  await drawer.getByRole('tab', { name: 'Chains' }).click();
  await page.waitForURL((url) => url.searchParams.get('tab') === 'chains');
  await drawer.getByTestId('chains-edit').click();
  await drawer.getByTestId('chain-add').click();
  await pickTask(page, drawer.getByTestId('chain-task-0'), 'load', 'load · Load warehouse');
  await drawer.getByTestId('chains-save').click();
  await toast(page, 'Chains saved');
  await drawer.getByTestId('chain-child-0').getByText('on success').waitFor();
  await drawer.getByTestId('chain-child-0').getByText('Load warehouse').waitFor();
  const saved = (await api(sundial.base, token, 'GET', `/${extract.uuid}/chains`)).body;
  assert.deepEqual(saved.children.map((c) => [c.code, c.on]), [['load', 'success']]);
  await settle(page);
  await screenshot(page, 'chains-1280');

  // Load → Extract would close a cycle: refused under the row, nothing saved.
  await drawer.locator('.ant-drawer-close').click();
  await page.getByTestId('task-name-load').click();
  await drawer.getByRole('tab', { name: 'Chains' }).click();
  await drawer.getByTestId('chain-parent-0').getByText('Extract orders').waitFor();
  await drawer.getByTestId('chains-edit').click();
  await drawer.getByTestId('chain-add').click();
  await pickTask(page, drawer.getByTestId('chain-task-0'), 'extract', 'extract · Extract orders');
  await drawer.getByTestId('chains-save').click();
  await drawer.getByTestId('chain-error-0').getByText('This chain would lead back to this task').waitFor();
  assert.deepEqual((await api(sundial.base, token, 'GET', `/${load.uuid}/chains`)).body.children, []);
  await drawer.locator('.ant-drawer-close').click();

  // A run of Extract queues Load's run; each links to the other.
  const parent = (await api(sundial.base, token, 'POST', `/${extract.uuid}/run`)).body;
  let child;
  await until(
    async () => {
      const runs = (await api(sundial.base, token, 'GET', `/${load.uuid}/runs`)).body.items;
      child = runs.find((r) => r.parent?.run_uuid === parent.uuid && r.status === 'succeeded');
      return child !== undefined;
    },
    30_000,
    "Load's chained run to succeed",
  );
  await page.goto(`${sundial.base}/?task=${extract.uuid}&tab=runs&run=${parent.uuid}`);
  const toChild = drawer.getByTestId('run-children').getByTestId('run-child-link');
  await toChild.filter({ hasText: child.uuid }).click();
  await page.waitForURL((url) => url.searchParams.get('task') === load.uuid && url.searchParams.get('run') === child.uuid);
  await page.getByTestId('drawer-title').getByText('Load warehouse').waitFor();
  await drawer.getByText('Chained').first().waitFor();
  await drawer.getByText('{\'rows\': 42}').waitFor();
  await drawer.getByTestId('run-parent-link').filter({ hasText: parent.uuid }).click();
  await page.waitForURL((url) => url.searchParams.get('task') === extract.uuid && url.searchParams.get('run') === parent.uuid);
  await page.getByTestId('drawer-title').getByText('Extract orders').waitFor();
  await drawer.locator('.ant-drawer-close').click();

  // Deleting Load lists the link it removes before asking.
  await row(page, 'load').getByTestId('delete').click();
  const question = page.locator('.ant-popover:not(.ant-popover-hidden)');
  await question.getByTestId('delete-chains').getByText('extract → load').waitFor();
  await question.getByText('Its 1 chain link(s) are removed too:').waitFor();
  await popconfirmOk(page).click();
  await toast(page, 'Deleted “Load warehouse”');
  assert.deepEqual((await api(sundial.base, token, 'GET', `/${extract.uuid}/chains`)).body.children, []);
  await page.close();
});

test('nothing these pages did was blocked by the Content-Security-Policy', () => {
  assert.deepEqual(blockedByPolicy, []);
});
