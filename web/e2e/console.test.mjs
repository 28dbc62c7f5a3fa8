// Browser tests of the console against the real `sundial` binary (SUNDIAL_BIN), in Debian's
// Chromium driven by playwright-core. Screenshots land in web/test-results/.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, createTask, launchBrowser, screenshot, screenshotModal, servesConsole, startSundial, until, watchedPage } from './harness.mjs';
import {
  chooseOption,
  firstRowShift,
  formItem,
  popconfirmOk,
  row,
  searchField,
  searchOption,
  settle,
  signInWithLink,
  statusToDurationGap,
  tagsOutsideTheirCells,
  toast,
  visibleCodes,
  watchFirstRow,
} from './ui.mjs';

let sundial;
let consoleBase;
let browser;
let adminToken;

before(async () => {
  sundial = await startSundial('console');
  consoleBase = sundial.base;
  // The console under test is the one the binary embeds (web/dist at its build time).
  if (!(await servesConsole(sundial.base))) {
    throw new Error('SUNDIAL_BIN does not serve the console at /: run `npm run build` in web/, then rebuild sundial');
  }
  adminToken = sundial.token({ tenant: 1, sub: 'e2e-admin' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sundial?.stop();
});

/** What the server's Content-Security-Policy blocked, on any page of these tests. */
const blockedByPolicy = [];

const newPage = (viewport) => watchedPage(browser.context, blockedByPolicy, viewport);

/** Opens the create modal and fills the fields every task needs. */
async function openCreate(page, { name, code }) {
  await page.getByTestId('new-task').click();
  await page.locator('#task_name').waitFor();
  await page.locator('#task_name').fill(name);
  await page.locator('#task_code').fill(code);
}

async function save(page) {
  await page.locator('.ant-modal-footer .ant-btn-primary').click();
}

/** Whether this server has `POST /{uuid}/run` (the engine's run-now). */
async function hasRunRoute() {
  const doc = await (await fetch(`${sundial.base}/api/openapi.json`)).json();
  return Object.entries(doc.paths).some(([path, methods]) => /scheduled-tasks\/\{[^}]+\}\/run$/.test(path) && 'post' in methods);
}

const createViaApi = (task) => createTask(sundial.base, adminToken, task);

/** Waits for `locator`; on a timeout the task's latest run (status, error, log) explains why. */
async function waitOrExplain(locator, timeout, taskUuid) {
  try {
    await locator.waitFor({ timeout });
  } catch (error) {
    const runs = await api(sundial.base, adminToken, 'GET', `/${taskUuid}/logs?page_size=1`);
    throw new Error(`${error.message}\nlatest run: ${JSON.stringify(runs.body?.items?.[0] ?? runs.body, null, 2)}`);
  }
}

describe('the scheduled-tasks console', () => {
  test('a link with #token= signs in, shows the tenant and role, and leaves the token out of the URL', async () => {
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    assert.equal(new URL(page.url()).hash, '', 'the fragment is stripped');
    await page.getByTestId('identity-tenant').filter({ hasText: 'Tenant 1' }).waitFor();
    await page.getByTestId('identity-role').filter({ hasText: 'Admin' }).waitFor();
    await page.getByText('e2e-admin').waitFor();
    // A reload keeps the session (sessionStorage), still without a token in the address.
    await page.reload();
    await page.getByTestId('identity').waitFor();
    assert.ok(!sundial.serverLog().includes(adminToken), 'the token never reaches the server log');
    await page.close();
  });

  test('the first page loads the main script compressed and without the Python editor, which comes with a Python task', async (t) => {
    // A browser of its own: the shared one may have the scripts cached, without the request's headers.
    const fresh = await launchBrowser();
    t.after(() => fresh.close());
    const page = await fresh.context.newPage();
    const scripts = [];
    page.on('response', (response) => {
      if (/\/assets\/[^/]+\.js$/.test(new URL(response.url()).pathname)) scripts.push(response);
    });
    const loaded = () => scripts.map((r) => new URL(r.url()).pathname);
    await signInWithLink(page, consoleBase, adminToken);
    await page.getByTestId('new-task').waitFor();
    assert.ok(!loaded().some((p) => p.includes('PythonCodeMirror')), `loaded: ${loaded()}`);
    const main = scripts.find((r) => /\/assets\/index-[^/]+\.js$/.test(new URL(r.url()).pathname));
    assert.ok(main, `loaded: ${loaded()}`);
    const accepts = (await main.request().allHeaders())['accept-encoding'];
    const coding = (await main.allHeaders())['content-encoding'];
    assert.equal(coding, /\bbr\b/.test(accepts) ? 'br' : 'gzip', `Accept-Encoding: ${accepts}`);
    await openCreate(page, { name: 'Lazy editor', code: 'lazy-editor' });
    await page.getByTestId('task-type').getByText('Python script').click();
    await page.locator('.cm-content').waitFor();
    assert.ok(loaded().some((p) => p.includes('PythonCodeMirror')), `loaded: ${loaded()}`);
    await page.close();
  });

  test('a token the server rejects (401) returns to sign-in, where a pasted token works', async () => {
    const page = await newPage();
    const [header, payload] = adminToken.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    await page.goto(`${consoleBase}/#token=${forged}`);
    await page.getByTestId('sign-in').waitFor();
    await page.getByText('The server did not accept the token').waitFor();
    // Commands read as code, not as Markdown backticks.
    const intro = page.getByTestId('sign-in-intro');
    assert.deepEqual(await intro.locator('code').allInnerTexts(), ['sundial serve', 'sundial token --tenant <id>']);
    assert.ok(!(await intro.innerText()).includes('`'), 'no literal backticks');
    await screenshot(page, 'sign-in-after-401');
    await page.locator('#token').fill(adminToken);
    await page.getByRole('button', { name: /Sign in/ }).click();
    await page.getByTestId('identity').waitFor();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in').waitFor();
    await page.close();
  });

  test('creates a cron task with a live description and a DST-marked preview', async () => {
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await openCreate(page, { name: 'Daily report', code: 'daily-report' });
    // The zone defaults to the browser's.
    await formItem(page, 'task_timezone').getByText('Asia/Shanghai').waitFor();
    await page.locator('#task_cron').fill('0 0 * * *');
    await page.getByTestId('cron-description').filter({ hasText: 'Every day at 00:00' }).waitFor();
    await page.locator('[data-testid="trigger-preview"][data-state="ok"] li').nth(4).waitFor();
    await page.locator('#task_url').fill('https://api.example.com/report');
    await chooseOption(page, formItem(page, 'task_method').locator('.ant-select'), 'POST');
    await page.getByTestId('headers-editor').getByRole('button', { name: /Add header/ }).click();
    await page.getByTestId('headers-editor').getByLabel('Name').first().fill('Authorization');
    await page.getByTestId('headers-editor').getByLabel('Value').first().fill('Bearer s3cret-token');
    const valueType = await page.getByTestId('headers-editor').getByLabel('Value').first().getAttribute('type');
    assert.equal(valueType, 'password', 'a secret-looking header value is masked');
    await page.locator('#task_body').fill('{"report": "daily"');
    await page.locator('#task_body').blur();
    await formItem(page, 'task_body').getByText('Not valid JSON').waitFor();
    await page.locator('#task_body').fill('{"report": "daily"}');
    await formItem(page, 'task_body').locator('.ant-form-item-explain-error').waitFor({ state: 'detached' });
    await screenshotModal(page, 'create-modal-1280');
    await save(page);
    await toast(page, 'Created “Daily report”');
    await row(page, 'daily-report').getByText('Every day at 00:00, Asia/Shanghai').waitFor();

    // A cron on the second Sunday of March in New York lands on a DST change every time.
    await openCreate(page, { name: 'Spring forward', code: 'spring-forward' });
    await page.locator('#task_cron').fill('30 2 ? 3 0#2');
    await searchOption(page, formItem(page, 'task_timezone').locator('.ant-select'), 'America/New_York');
    await page.locator('[data-testid="trigger-preview"][data-state="ok"] li').nth(4).waitFor();
    await page.locator('.ant-message-notice').waitFor({ state: 'detached', timeout: 10_000 });
    const dstDays = await page.getByTestId('dst-tag').count();
    assert.equal(dstDays, 5, 'every occurrence is on a DST transition day');
    await screenshotModal(page, 'create-modal-dst-1280');
    await page.locator('#task_url').fill('https://api.example.com/dst');
    await save(page);
    await toast(page, 'Created “Spring forward”');
    await row(page, 'spring-forward').getByText('America/New_York').first().waitFor();
    await page.close();
  });

  test('creates an interval task running a Python script', async () => {
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await openCreate(page, { name: 'Sync inventory', code: 'sync-inventory' });
    await page.getByTestId('trigger-type').getByText('Interval').click();
    // 0 is refused with a reason rather than quietly becoming 1.
    await page.locator('#task_interval_value').fill('0');
    await page.locator('#task_interval_value').blur();
    await formItem(page, 'task_interval_value').getByText('Enter a whole number, 1 or more').waitFor();
    assert.equal(await page.locator('#task_interval_value').inputValue(), '0');
    await page.locator('#task_interval_value').fill('5');
    await chooseOption(page, formItem(page, 'task_interval_value').locator('.ant-select'), 'minutes');
    await page.getByTestId('task-type').getByText('Python script').click();
    const editor = page.locator('.cm-content');
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('import sys\nprint("syncing", file=sys.stderr)\n');
    // Syntax highlighting: CodeMirror wraps keywords in styled spans.
    assert.ok((await page.locator('.cm-content span').count()) > 0, 'the script is highlighted');
    await page.locator('[data-testid="trigger-preview"][data-state="ok"] li').nth(4).waitFor();
    await screenshotModal(page, 'create-modal-python-1280');
    await save(page);
    await toast(page, 'Created “Sync inventory”');
    await row(page, 'sync-inventory').getByText('Every 5 minutes').waitFor();
    const list = await api(sundial.base, adminToken, 'GET', '/list?keyword=sync-inventory');
    assert.deepEqual(list.body.items[0].trigger_config.seconds, 300);
    assert.match(list.body.items[0].task_config.script, /print\("syncing"/);
    await page.close();
  });

  test('creates a date task from the date-time picker', async () => {
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await openCreate(page, { name: 'New year mail', code: 'new-year-mail' });
    await page.getByTestId('trigger-type').getByText('Date (once)').click();
    await page.locator('#task_at').click();
    await page.locator('#task_at').fill('2031-01-01 08:00:00');
    await page.locator('.ant-picker-dropdown:not(.ant-picker-dropdown-hidden) .ant-picker-ok button').click();
    await page.locator('#task_url').fill('https://api.example.com/mail');
    await save(page);
    await toast(page, 'Created “New year mail”');
    await row(page, 'new-year-mail').getByText('Once at 2031-01-01 08:00').waitFor();
    // Entered in Asia/Shanghai (the browser's zone): 08:00 there is midnight UTC.
    const list = await api(sundial.base, adminToken, 'GET', '/list?keyword=new-year-mail');
    assert.equal(list.body.items[0].trigger_config.at, '2031-01-01T00:00:00Z');
    await page.close();
  });

  test('a bad cron shows the server’s error under the cron field', async () => {
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await openCreate(page, { name: 'Broken', code: 'broken-cron' });
    await page.locator('#task_cron').fill('61 * * * *');
    await page.locator('#task_url').fill('https://api.example.com/broken');
    await save(page);
    const error = formItem(page, 'task_cron').locator('.ant-form-item-explain-error');
    await error.waitFor();
    assert.match(await error.innerText(), /minute|61/i);
    await screenshotModal(page, 'bad-cron-1280', 1100);
    await page.locator('.ant-modal-footer .ant-btn:not(.ant-btn-primary)').click();
    await page.close();
  });

  test('the switch stops and starts a task', async () => {
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    const task = await createViaApi({ name: 'Nightly backup', code: 'nightly-backup' });
    await page.getByTestId('list-reload').click();
    const toggle = page.getByTestId('active-nightly-backup');
    await toggle.waitFor();
    assert.equal(await toggle.getAttribute('aria-checked'), 'true');
    await toggle.click();
    // Nothing changes before the question is answered.
    await page.locator('.ant-popover:not(.ant-popover-hidden)').getByText('Stop “Nightly backup”?').waitFor();
    assert.equal((await api(sundial.base, adminToken, 'GET', `/${task.uuid}`)).body.is_active, true);
    await popconfirmOk(page).click();
    await toast(page, 'Stopped “Nightly backup”');
    await page.locator('[data-testid="active-nightly-backup"][aria-checked="false"]').waitFor();
    assert.equal((await api(sundial.base, adminToken, 'GET', `/${task.uuid}`)).body.is_active, false);
    await row(page, 'nightly-backup').locator('td').filter({ hasText: /^—/ }).first().waitFor();
    await toggle.click();
    await page.locator('.ant-popover:not(.ant-popover-hidden)').getByText('Start “Nightly backup”?').waitFor();
    await popconfirmOk(page).click();
    await toast(page, 'Started “Nightly backup”');
    await page.locator('[data-testid="active-nightly-backup"][aria-checked="true"]').waitFor();
    const started = (await api(sundial.base, adminToken, 'GET', `/${task.uuid}`)).body;
    assert.equal(started.is_active, true);
    assert.ok(started.next_run_at, 'a started task has a next run');
    await page.close();
  });

  test('search and filters narrow the list on the server', async () => {
    await createViaApi({ name: 'Alpha export', code: 'alpha-export' });
    await createViaApi({
      name: 'Alpha cleanup',
      code: 'alpha-cleanup',
      type: 'python_script',
      task_config: { script: 'print(1)' },
      trigger_type: 'interval',
      trigger_config: { seconds: 600 },
      is_active: false,
    });
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await row(page, 'alpha-export').waitFor();

    await searchField(page, 'Name / code').locator('input').fill('alpha');
    // Paging, search and sort are the server's: they travel as query parameters.
    const listed = page.waitForRequest((r) => r.url().includes('/list?') && r.url().includes('keyword='));
    await searchField(page, 'Name / code').locator('input').press('Enter');
    const query = new URL((await listed).url()).searchParams;
    assert.deepEqual(
      Object.fromEntries(['page', 'page_size', 'keyword', 'sort'].map((k) => [k, query.get(k)])),
      { page: '1', page_size: '20', keyword: 'alpha', sort: '-created_at' },
    );
    await page.waitForFunction(() => document.querySelectorAll('tr.ant-table-row').length === 2);
    assert.deepEqual((await visibleCodes(page)).sort(), ['alpha-cleanup', 'alpha-export']);

    await chooseOption(page, searchField(page, 'Type').locator('.ant-select'), 'Python script');
    await page.waitForFunction(() => document.querySelectorAll('tr.ant-table-row').length === 1);
    assert.deepEqual(await visibleCodes(page), ['alpha-cleanup']);

    // Reset, then filter by trigger type and by state alone.
    await page.getByTestId('filters-reset').click();
    await chooseOption(page, searchField(page, 'Trigger type').locator('.ant-select'), 'Interval');
    await page.waitForFunction(() => [...document.querySelectorAll('tr.ant-table-row')].every((r) => /Every/.test(r.textContent)));
    const intervalCodes = await visibleCodes(page);
    assert.ok(intervalCodes.includes('alpha-cleanup') && intervalCodes.includes('sync-inventory'), intervalCodes.join());

    await page.getByTestId('filters-reset').click();
    await chooseOption(page, searchField(page, 'Active').locator('.ant-select'), 'Stopped');
    await page.waitForFunction(() => document.querySelectorAll('tr.ant-table-row').length === 1);
    assert.deepEqual(await visibleCodes(page), ['alpha-cleanup']);

    // Sorting is the server's: by name, ascending.
    await page.getByTestId('filters-reset').click();
    const sorted = page.waitForRequest((r) => r.url().includes('/list?') && r.url().includes('sort=name'));
    await page.getByRole('columnheader', { name: 'Name' }).click();
    await sorted;
    await page.waitForFunction(() => {
      const names = [...document.querySelectorAll('tr.ant-table-row td:nth-child(2) a')].map((a) => a.textContent);
      return names.length > 3 && names.every((n, i) => i === 0 || names[i - 1].localeCompare(n) <= 0);
    });
    await page.close();
  });

  test('deletes a task, and several selected ones at once, after confirmation', async () => {
    const one = await createViaApi({ name: 'Doomed one', code: 'doomed-one' });
    const two = await createViaApi({ name: 'Doomed two', code: 'doomed-two' });
    const three = await createViaApi({ name: 'Doomed three', code: 'doomed-three' });
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);

    await row(page, 'doomed-one').getByTestId('delete').click();
    await popconfirmOk(page).click();
    await toast(page, 'Deleted “Doomed one”');
    await row(page, 'doomed-one').waitFor({ state: 'detached' });
    assert.equal((await api(sundial.base, adminToken, 'GET', `/${one.uuid}`)).status, 404);

    await row(page, 'doomed-two').locator('.ant-checkbox-input').check();
    await row(page, 'doomed-three').locator('.ant-checkbox-input').check();
    await page.getByTestId('selected-count').filter({ hasText: '2 selected' }).waitFor();
    await page.getByTestId('batch-delete').click();
    await page.locator('.ant-popover:not(.ant-popover-hidden)').getByText('Delete 2 tasks?').waitFor();
    await popconfirmOk(page).click();
    await toast(page, 'Deleted 2 tasks');
    await row(page, 'doomed-two').waitFor({ state: 'detached' });
    await row(page, 'doomed-three').waitFor({ state: 'detached' });
    for (const task of [two, three]) {
      assert.equal((await api(sundial.base, adminToken, 'GET', `/${task.uuid}`)).status, 404);
    }
    await page.close();
  });

  test('the drawer shows status, runs and versions; edits keep the history', async () => {
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await page.getByTestId('task-name-daily-report').click();
    const drawer = page.locator('.ant-drawer-content');
    await drawer.getByTestId('task-overview').waitFor();
    await drawer.getByText('Every day at 00:00, Asia/Shanghai').waitFor();
    // The Authorization header is masked in the read-only view.
    assert.ok(!(await drawer.innerText()).includes('s3cret-token'), 'secret header values are masked');
    await settle(page);
    await screenshot(page, 'drawer-1280');
    await drawer.getByRole('tab', { name: 'Runs & logs' }).click();
    await drawer.getByTestId('run-history').waitFor();
    await drawer.getByTestId('run-history').getByText('No runs yet.').waitFor();
    await chooseOption(page, drawer.getByTestId('run-status-filter'), 'Failed');
    await drawer.getByTestId('run-history').getByText('No runs yet.').waitFor();

    await drawer.getByRole('button', { name: /Edit/ }).click();
    await page.locator('#task_name').fill('Daily report v2');
    await save(page);
    await toast(page, 'Saved “Daily report v2”');
    await drawer.getByRole('tab', { name: 'Versions' }).click();
    await drawer.getByTestId('version-history').getByText('Updated').waitFor();
    await drawer.getByTestId('version-history').getByText('Created').waitFor();
    await page.keyboard.press('Escape');
    await row(page, 'daily-report').getByText('Daily report v2').waitFor();
    await page.close();
  });

  test('the drawer shows a script as code with its line breaks, never the raw task_config, and the identifiers under “Identifiers” (en-US and zh-CN)', async () => {
    const script = 'import json\nimport os\n\ncontext = json.loads(os.environ["SUNDIAL_CONTEXT"])\nprint(context["task"]["code"])\n';
    const task = await createViaApi({ name: 'Drawer script', code: 'drawer-script', type: 'python_script', task_config: { script } });
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    const words = {
      'en-US': { identifiers: 'Identifiers (for the API, the CLI and Inngest)', uuid: 'Task uuid', functionId: 'Inngest function id' },
      'zh-CN': { identifiers: '标识（供 API、命令行和 Inngest 使用）', uuid: '任务 UUID', functionId: 'Inngest 函数 ID' },
    };
    for (const [lang, expected] of Object.entries(words)) {
      await page.evaluate((l) => localStorage.setItem('sundial.lang', l), lang);
      await page.goto(`${consoleBase}/?task=${task.uuid}`);
      const drawer = page.locator('.ant-drawer-content');
      const view = drawer.getByTestId('script-view');
      await view.locator('.cm-content .cm-line').first().waitFor();
      // Highlighted code, one editor line per line of the script: real line breaks, not "\n".
      const lines = await view.locator('.cm-content .cm-line').evaluateAll((nodes) => nodes.map((n) => n.textContent));
      assert.deepEqual(lines, script.split('\n'), lang);
      assert.ok((await view.locator('.cm-line span[class*="ͼ"]').count()) > 0, `${lang}: the script is highlighted`);
      const folded = drawer.getByTestId('identifiers');
      assert.equal((await folded.locator('.ant-collapse-header').innerText()).trim(), expected.identifiers);
      assert.ok(!(await drawer.innerText()).includes(task.uuid), `${lang}: the uuid is folded away`);
      await folded.locator('.ant-collapse-header').click();
      const ids = folded.locator('.ant-collapse-content');
      await ids.getByText(task.uuid, { exact: true }).waitFor();
      await ids.getByText(`scheduled-task-${task.uuid}`, { exact: true }).waitFor();
      assert.deepEqual(await ids.locator('.ant-descriptions-item-label').allInnerTexts(), [expected.uuid, expected.functionId]);
      const text = await drawer.innerText();
      assert.doesNotMatch(text, /task_config/, `${lang}: no raw config`);
      assert.doesNotMatch(text, /Function id/, `${lang}: no bare “Function id”`);
      assert.doesNotMatch(text, /\\n/, `${lang}: no escaped line breaks`);
    }
    await page.close();
    // Out of the later tests' lists and screenshots.
    assert.equal((await api(sundial.base, adminToken, 'DELETE', `/${task.uuid}`)).status, 204);
  });

  test('switches language, and remembers it', async () => {
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await page.getByTestId('language-switch').getByText('中文').click();
    await page.getByTestId('page-title').filter({ hasText: '定时任务' }).waitFor();
    await page.getByTestId('new-task').filter({ hasText: '新建任务' }).waitFor();
    await row(page, 'daily-report').getByText('每天 00:00，Asia/Shanghai').waitFor();
    await page.getByRole('columnheader', { name: '上次错误' }).waitFor();
    await page.getByRole('columnheader', { name: '上次运行' }).waitFor();
    assert.match(await page.getByTestId('next-run-daily-report').innerText(), /^\d+(小时|分钟|天)后$/);
    await screenshot(page, 'list-zh-CN-1280');
    await page.reload();
    await page.getByTestId('new-task').filter({ hasText: '新建任务' }).waitFor();
    await page.getByTestId('language-switch').getByText('EN').click();
    await page.getByTestId('new-task').filter({ hasText: 'New task' }).waitFor();
    await page.close();
  });

  test('a viewer sees the tasks but no write buttons; an operator may only start and stop', async () => {
    const viewer = await newPage();
    await signInWithLink(viewer, consoleBase, sundial.token({ tenant: 1, role: 'viewer', sub: 'e2e-viewer' }));
    await viewer.getByTestId('identity-role').filter({ hasText: 'Viewer' }).waitFor();
    await row(viewer, 'daily-report').waitFor();
    await viewer.getByTestId('role-notice').waitFor();
    assert.equal(await viewer.getByTestId('new-task').count(), 0, 'no New task button');
    assert.equal(await viewer.getByTestId('edit').count(), 0, 'no edit buttons');
    assert.equal(await viewer.getByTestId('delete').count(), 0, 'no delete buttons');
    assert.equal(await viewer.getByTestId('run-now').count(), 0, 'no run-now buttons');
    assert.equal(await viewer.locator('.ant-table-selection-column').count(), 0, 'no row selection');
    assert.equal(await viewer.getByTestId('active-daily-report').isDisabled(), true, 'the switch is read-only');
    await screenshot(viewer, 'viewer-1280');
    await viewer.getByTestId('task-name-daily-report').click();
    await viewer.locator('.ant-drawer-content').getByTestId('task-overview').waitFor();
    assert.equal(await viewer.locator('.ant-drawer-extra').getByRole('button', { name: /Edit/ }).count(), 0);
    await viewer.close();

    const operator = await newPage();
    await signInWithLink(operator, consoleBase, sundial.token({ tenant: 1, role: 'operator', sub: 'e2e-operator' }));
    await row(operator, 'daily-report').waitFor();
    assert.equal(await operator.getByTestId('new-task').count(), 0);
    assert.equal(await operator.getByTestId('delete').count(), 0);
    assert.equal(await operator.getByTestId('active-daily-report').isDisabled(), false);
    await operator.close();
  });

  test('the run-now button is offered only when the server has the route', async () => {
    const hasRun = await hasRunRoute();
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await row(page, 'daily-report').waitFor();
    await page.waitForTimeout(500);
    assert.equal((await page.getByTestId('run-now').count()) > 0, hasRun);
    await page.close();
  });

  test('run now, then watch the run and its log appear in the drawer', async (t) => {
    if (!(await hasRunRoute())) {
      // The only skipped case: it runs by itself once the server offers the route.
      t.skip('POST /{uuid}/run arrives with the execution engine (a later issue); this server has no such route');
      return;
    }
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await row(page, 'sync-inventory').getByTestId('run-now').click();
    await toast(page, 'Run queued');
    const drawer = page.locator('.ant-drawer-content');
    await drawer.getByTestId('run-history').waitFor();
    const newest = drawer.getByTestId('run-history').locator('.ant-collapse-item').first();
    await newest.locator('[data-status]').waitFor();
    // The log refreshes every 2 s while the run is queued or running; the first line appears
    // without any click (stdout/stderr from the script, or Sundial's own system lines).
    await drawer.locator('.log-line').first().waitFor({ timeout: 60_000 });
    await newest
      .locator('[data-status="succeeded"], [data-status="failed"], [data-status="timed_out"]')
      .waitFor({ timeout: 120_000 });
    await screenshot(page, 'run-log-1280');
    await page.close();
  });

  test('the Python starter script works: created from the form, run now, it succeeds with its arguments', async () => {
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await openCreate(page, { name: 'Starter script', code: 'starter-script' });
    await page.getByTestId('task-type').getByText('Python script').click();
    const editor = page.locator('.cm-content');
    await editor.filter({ hasText: 'SUNDIAL_CONTEXT' }).waitFor();
    await page.locator('#task_args').fill('{"days": 3}');
    await save(page);
    await toast(page, 'Created “Starter script”');
    const task = (await api(sundial.base, adminToken, 'GET', '/list?code=starter-script')).body.items[0];
    assert.match(task.task_config.script, /os\.environ\["SUNDIAL_CONTEXT"\]/);

    await row(page, 'starter-script').getByTestId('run-now').click();
    await toast(page, 'Run queued');
    const drawer = page.locator('.ant-drawer-content');
    const newest = drawer.getByTestId('run-history').locator('.ant-collapse-item').first();
    await waitOrExplain(newest.locator('[data-status="succeeded"]'), 60_000, task.uuid);
    // The script printed its context and argument, and returned a result on fd 3.
    await newest.locator('.log-line').filter({ hasText: /run [0-9a-f-]{36}, attempt 1: the last 3 days/ }).waitFor();
    await newest.locator('pre').filter({ hasText: '"days": 3' }).waitFor();
    await screenshot(page, 'starter-script-run-1280');

    // The overview shows the script as highlighted code, not a JSON string with \n.
    await drawer.getByRole('tab', { name: 'Overview' }).click();
    await drawer.getByTestId('script-view').locator('.cm-content').filter({ hasText: 'json.loads(os.environ["SUNDIAL_CONTEXT"])' }).waitFor();
    const overview = await drawer.getByTestId('task-overview').innerText();
    assert.ok(!overview.includes('task_config'), 'no raw task_config key');
    assert.ok(!overview.includes('\\n'), 'no escaped newlines');
    await drawer.getByTestId('identifiers').getByText('Identifiers').click();
    await drawer.getByTestId('identifiers').getByText('Inngest function id').waitFor();
    await drawer.getByTestId('identifiers').getByText(`scheduled-task-${task.uuid}`).waitFor();
    await page.keyboard.press('Escape');
    await row(page, 'starter-script').locator('[data-status="succeeded"]').waitFor();
    await page.close();
  });

  test('runs with arguments from the drawer: checked before sending, shown on the run and read by the script', async () => {
    const task = await createViaApi({
      name: 'Greeting script',
      code: 'greeting-script',
      type: 'python_script',
      task_config: {
        script: 'import json, os\nargs = json.loads(os.environ["SUNDIAL_CONTEXT"])["args"]\nprint(f"hello {args[\'who\']}")',
        args: { who: 'task' },
      },
      retry_policy: { max_retries: 0, retry_delay_seconds: 1, backoff: 'fixed' },
    });
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await page.getByTestId('task-name-greeting-script').click();
    const drawer = page.locator('.ant-drawer-content');
    await drawer.getByTestId('run-with-args').click();
    const modal = page.getByTestId('run-args-modal');
    const editor = modal.locator('#run_args');
    await editor.waitFor();
    assert.deepEqual(JSON.parse(await editor.inputValue()), { who: 'task' }, 'starts from the task’s own arguments');
    // Checked here before anything is sent: nothing is queued for these.
    const ok = page.locator('.ant-modal-footer .ant-btn-primary');
    await editor.fill('[1, 2]');
    await ok.click();
    await modal.getByText('Must be a JSON object').waitFor();
    await editor.fill('{"who": ');
    await ok.click();
    await modal.getByText(/^Not valid JSON/).waitFor();
    assert.equal((await api(sundial.base, adminToken, 'GET', `/${task.uuid}/runs`)).body.total, 0);

    await editor.fill('{"who": "console"}');
    await screenshotModal(page, 'run-with-args-1280');
    await ok.click();
    await toast(page, 'Run queued');
    const newest = drawer.getByTestId('run-history').locator('.ant-collapse-item').first();
    await waitOrExplain(newest.locator('[data-status="succeeded"]'), 60_000, task.uuid);
    await newest.getByText('With arguments', { exact: true }).waitFor();
    await newest.getByTestId('run-why').getByText('Started by: Run now, with arguments').waitFor();
    assert.deepEqual(JSON.parse(await newest.getByTestId('run-args').innerText()), { who: 'console' });
    await newest.locator('.log-text').filter({ hasText: /^hello console$/ }).waitFor();
    const runs = (await api(sundial.base, adminToken, 'GET', `/${task.uuid}/runs`)).body.items;
    assert.deepEqual(runs.map((r) => r.args), [{ who: 'console' }]);
    await page.close();
  });

  test('a long run log is read a page at a time in the drawer', async () => {
    const task = await createViaApi({
      name: 'Chatty script',
      code: 'chatty-script',
      type: 'python_script',
      task_config: { script: 'for i in range(1500):\n    print(f"line {i}")' },
      retry_policy: { max_retries: 0, retry_delay_seconds: 1, backoff: 'fixed' },
    });
    const run = (await api(sundial.base, adminToken, 'POST', `/${task.uuid}/run`)).body;
    const runStatus = async () => (await api(sundial.base, adminToken, 'GET', `/runs/${run.uuid}`)).body.status;
    await until(async () => (await runStatus()) === 'succeeded', 60_000, 'the chatty run to succeed');
    // Sundial's start line, the script's 1,500, the sandbox summary and the outcome.
    const total = 1503;
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await page.getByTestId('task-name-chatty-script').click();
    const drawer = page.locator('.ant-drawer-content');
    await drawer.getByRole('tab', { name: 'Runs & logs' }).click();
    const newest = drawer.getByTestId('run-history').locator('.ant-collapse-item').first();
    await newest.locator('[data-status="succeeded"]').waitFor();
    // The first page of the log, then the rest on request.
    const more = newest.getByTestId('more-log');
    await more.waitFor();
    assert.equal(await newest.locator('.log-line').count(), 1000);
    await more.click();
    await newest.locator('.log-text').filter({ hasText: /^line 1499$/ }).waitFor();
    assert.equal(await newest.locator('.log-line').count(), total);
    assert.equal(await more.count(), 0, 'nothing more to load');
    await page.close();
  });

  test('the list refreshes itself: runs started elsewhere show up without a click', async () => {
    const python = (code, script) =>
      createViaApi({
        name: code,
        code,
        type: 'python_script',
        task_config: { script },
        retry_policy: { max_retries: 0, retry_delay_seconds: 1, backoff: 'fixed' },
      });
    const ok = await python('live-ok', 'print("fine")');
    const bad = await python('live-bad', 'import sys\nsys.exit(3)');
    await python('live-never', 'print("not yet")');
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await row(page, 'live-ok').getByText('Never run').waitFor();
    await row(page, 'live-bad').getByText('Never run').waitFor();
    assert.equal(await page.getByTestId('last-run-live-ok').count(), 0, 'no last run yet');

    // Runs queued through the API, not the page: the next poll (every 10 s) shows them.
    for (const task of [ok, bad]) assert.equal((await api(sundial.base, adminToken, 'POST', `/${task.uuid}/run`)).status, 202);
    await page.getByTestId('last-status-live-ok').locator('[data-status="succeeded"]').waitFor({ timeout: 40_000 });
    await page.getByTestId('last-status-live-bad').locator('[data-status="failed"]').waitFor({ timeout: 40_000 });
    await page.getByTestId('last-error-live-bad').filter({ hasText: 'exit 3' }).waitFor();
    // Relative times, the exact one on hover.
    const lastRun = page.getByTestId('last-run-live-ok');
    assert.match(await lastRun.innerText(), /^(now|\d+ seconds? ago)$/);
    await lastRun.hover();
    const exact = await page.locator('.ant-tooltip:not(.ant-tooltip-hidden)').filter({ hasText: /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(Asia\/Shanghai\)/ }).innerText();
    const instant = await lastRun.getAttribute('data-instant');
    assert.ok(exact.startsWith(new Date(Date.parse(instant) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')), `${exact} vs ${instant}`);
    assert.match(await page.getByTestId('next-run-live-ok').innerText(), /^in \d+ (hours?|minutes?|days?)$/);
    // Duration (exact on hover) and the strip of recent outcomes, one mark per run.
    const tip = (text) => page.locator('.ant-tooltip:not(.ant-tooltip-hidden)').filter({ hasText: text });
    const duration = page.getByTestId('duration-live-ok');
    const ms = Number(await duration.getAttribute('data-ms'));
    assert.ok(ms > 0, `duration ${ms}`);
    assert.match(await duration.innerText(), /^(\d+ ms|\d+\.\d s)$/);
    await duration.hover();
    await tip(`Last attempt ran ${ms.toLocaleString('en-US')} ms`).waitFor();
    const strip = (code) => page.getByTestId(`recent-${code}`);
    assert.equal(await strip('live-ok').getAttribute('aria-label'), 'Last 1, newest first: 1 succeeded');
    assert.equal(await strip('live-bad').getAttribute('aria-label'), 'Last 1, newest first: 1 failed');
    assert.deepEqual(await strip('live-bad').locator('[data-outcome]').evaluateAll((marks) => marks.map((m) => m.dataset.outcome)), ['failed']);
    // At 1280 px the status tag keeps to its cell, clear of the duration beside it.
    for (const code of ['live-ok', 'live-bad']) {
      const gap = await statusToDurationGap(page, code);
      assert.ok(gap >= 12, `${code}: ${gap.toFixed(1)} px between the status tag and the duration`);
    }
    assert.deepEqual(await tagsOutsideTheirCells(page), []);
    await screenshot(page, 'list-live-1280');

    // live-ok's next run fails: its strip grows on the left (newest first) at the next poll.
    const broken = await api(sundial.base, adminToken, 'PUT', `/${ok.uuid}`, { task_config: { script: 'import sys\nsys.exit(4)' } });
    assert.equal(broken.status, 200);
    assert.equal((await api(sundial.base, adminToken, 'POST', `/${ok.uuid}/run`)).status, 202);
    await page.locator('[data-testid="recent-live-ok"][aria-label="Last 2, newest first: 1 succeeded, 1 failed"]').waitFor({ timeout: 40_000 });
    const marks = strip('live-ok').locator('[data-outcome]');
    assert.deepEqual(await marks.evaluateAll((all) => all.map((m) => m.dataset.outcome)), ['failed', 'succeeded']);
    await page.getByTestId('last-status-live-ok').locator('[data-status="failed"]').waitFor();
    await marks.first().hover();
    await tip(/^Failed$/).waitFor();
    await marks.last().hover();
    await tip(/^Succeeded$/).waitFor();

    // The same in Chinese.
    await page.getByTestId('language-switch').getByText('中文').click();
    await page.getByRole('columnheader', { name: '耗时' }).waitFor();
    await page.getByRole('columnheader', { name: '最近运行' }).waitFor();
    await page.locator('[data-testid="recent-live-ok"][aria-label="最近 2 次（最新在前）：成功 1 次，失败 1 次"]').waitFor();
    await marks.first().hover();
    await tip(/^失败$/).waitFor();
    const failedMs = Number(await duration.getAttribute('data-ms'));
    await duration.hover();
    await tip(`上次执行耗时 ${failedMs.toLocaleString('zh-CN')} 毫秒`).waitFor();
    for (const code of ['live-ok', 'live-bad']) {
      const gap = await statusToDurationGap(page, code);
      assert.ok(gap >= 12, `zh-CN, ${code}: ${gap.toFixed(1)} px between the status tag and the duration`);
    }
    assert.deepEqual(await tagsOutsideTheirCells(page), []);
    await page.getByTestId('language-switch').getByText('EN').click();
    await page.getByRole('columnheader', { name: 'Duration' }).waitFor();

    // Never run: the tasks none of whose runs has ended, asked of the server.
    const neverRun = page.waitForRequest((r) => r.url().includes('/list?') && r.url().includes('last_run_outcome=none'));
    await chooseOption(page, searchField(page, 'Last status').locator('.ant-select'), 'Never run');
    await neverRun;
    await page.waitForFunction(() => !document.querySelector('[data-testid="active-live-ok"], [data-testid="active-live-bad"]'));
    const never = await visibleCodes(page);
    assert.ok(never.includes('live-never'), never.join());
    for (const code of never) await page.getByTestId(`last-status-${code}`).getByText('Never run').waitFor();
    await page.close();
  });

  test('stopping a task asks first, and can cancel its run in progress', async () => {
    const task = await createViaApi({
      name: 'Long import',
      code: 'long-import',
      type: 'python_script',
      task_config: { script: 'import time\nprint("importing", flush=True)\ntime.sleep(120)' },
      timeout_seconds: 300,
      retry_policy: { max_retries: 0, retry_delay_seconds: 1, backoff: 'fixed' },
    });
    const run = (await api(sundial.base, adminToken, 'POST', `/${task.uuid}/run`)).body;
    const runStatus = async () => (await api(sundial.base, adminToken, 'GET', `/runs/${run.uuid}`)).body.status;
    await until(async () => (await runStatus()) === 'running', 30_000, 'the run to start');
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await row(page, 'long-import').getByText('Running').first().waitFor();
    await page.getByTestId('active-long-import').click();
    const question = page.locator('.ant-popover:not(.ant-popover-hidden)');
    await question.getByText('Stop “Long import”?').waitFor();
    assert.equal(await question.locator('input[type="checkbox"]').isChecked(), false, 'running runs finish unless asked');
    await question.getByText('Also cancel the run in progress now').click();
    assert.equal(await question.locator('input[type="checkbox"]').isChecked(), true);
    await screenshot(page, 'stop-confirm-1280');
    await popconfirmOk(page).click();
    await toast(page, 'Stopped “Long import” and cancelled its runs in progress');
    await until(async () => (await runStatus()) === 'cancelled', 30_000, 'the run to be cancelled');
    assert.equal((await api(sundial.base, adminToken, 'GET', `/${task.uuid}`)).body.is_active, false);
    await row(page, 'long-import').locator('[data-status="cancelled"]').waitFor({ timeout: 30_000 });
    await page.close();
  });

  test('filters, sort and the open task with its tab are in the address: a reload restores them', async () => {
    await createViaApi({ name: 'Linked export', code: 'linked-export' });
    const linked = await createViaApi({ name: 'Linked script', code: 'linked-script', type: 'python_script', task_config: { script: 'print(1)' } });
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await row(page, 'daily-report').waitFor();
    await searchField(page, 'Name / code').locator('input').fill('linked');
    await searchField(page, 'Name / code').locator('input').press('Enter');
    await chooseOption(page, searchField(page, 'Type').locator('.ant-select'), 'Python script');
    await page.waitForFunction(() => document.querySelectorAll('tr.ant-table-row').length === 1);
    await page.getByRole('columnheader', { name: 'Name' }).click();
    await page.getByTestId('task-name-linked-script').click();
    const drawer = page.locator('.ant-drawer-content');
    await drawer.getByRole('tab', { name: 'Versions' }).click();
    await drawer.getByTestId('version-history').waitFor();
    await page.waitForFunction(() => location.search.includes('tab=versions'));
    const query = Object.fromEntries(new URL(page.url()).searchParams);
    assert.deepEqual(query, { keyword: 'linked', type: 'python_script', sort: 'name', task: linked.uuid, tab: 'versions' });

    const lists = [];
    const countList = (r) => r.url().includes('/list?') && lists.push(r.url());
    page.on('request', countList);
    const listed = page.waitForRequest((r) => r.url().includes('/list?'));
    await page.reload();
    const again = new URL((await listed).url()).searchParams;
    assert.deepEqual([again.get('keyword'), again.get('type'), again.get('sort')], ['linked', 'python_script', 'name']);
    await drawer.getByRole('tab', { name: 'Versions', selected: true }).waitFor();
    await drawer.getByTestId('version-history').waitFor();
    assert.equal(await searchField(page, 'Name / code').locator('input').inputValue(), 'linked');
    await searchField(page, 'Type').getByText('Python script').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tr.ant-table-row').length === 1);
    assert.deepEqual(await visibleCodes(page), ['linked-script']);
    // Asked for once, as the script started (firstPage.ts); the table took that answer over.
    page.off('request', countList);
    assert.equal(lists.length, 1, lists.join('\n'));

    // The same address shared as a sign-in link opens the same view in a fresh tab.
    const shared = await newPage();
    await shared.goto(`${page.url()}#token=${adminToken}`);
    await shared.locator('.ant-drawer-content').getByRole('tab', { name: 'Versions', selected: true }).waitFor();
    await shared.waitForFunction(() => document.querySelectorAll('tr.ant-table-row').length === 1);
    assert.deepEqual(await visibleCodes(shared), ['linked-script']);
    assert.equal(new URL(shared.url()).hash, '');
    await shared.close();

    // Closing the drawer and resetting the search leave the address clean again.
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !location.search.includes('task='));
    await page.getByTestId('filters-reset').click();
    await page.waitForFunction(() => !location.search.includes('keyword='));
    assert.equal(await searchField(page, 'Name / code').locator('input').inputValue(), '');
    await row(page, 'linked-export').waitFor();
    await page.close();
  });

  test('an empty search says so and offers to clear it; an empty tenant offers the first task', async () => {
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await row(page, 'daily-report').waitFor();
    // Typing alone searches once the typing pauses, without Enter.
    await searchField(page, 'Name / code').locator('input').fill('no-such-task-anywhere');
    await page.getByTestId('empty-filtered').getByText('No task matches your filters.').waitFor();
    await page.getByTestId('empty-filtered').getByRole('button', { name: 'Clear filters' }).click();
    await row(page, 'daily-report').waitFor();
    assert.equal(await searchField(page, 'Name / code').locator('input').inputValue(), '');
    await page.close();

    const empty = await newPage();
    await signInWithLink(empty, consoleBase, sundial.token({ tenant: 2, sub: 'e2e-newcomer' }));
    await empty.getByTestId('empty-tenant').getByText('No tasks in this tenant yet.').waitFor();
    await empty.getByTestId('empty-tenant').getByRole('button', { name: 'Create the first task' }).click();
    await empty.locator('#task_name').waitFor();
    await empty.close();
  });

  test('a sign-in link opened in a tab that already shows the console signs in there and leaves the address', async () => {
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await page.getByTestId('identity-role').filter({ hasText: 'Admin' }).waitFor();
    await page.evaluate(() => {
      window.sameDocument = true;
    });
    const viewerToken = sundial.token({ tenant: 1, role: 'viewer', sub: 'e2e-link-viewer' });
    await page.goto(`${consoleBase}/#token=${viewerToken}`);
    await page.getByTestId('identity-role').filter({ hasText: 'Viewer' }).waitFor();
    await page.getByText('e2e-link-viewer').waitFor();
    assert.equal(await page.evaluate(() => window.sameDocument), true, 'no reload: the open tab took the link');
    assert.equal(new URL(page.url()).hash, '', 'the token left the address bar');
    assert.ok(!(await page.evaluate(() => location.href)).includes(viewerToken));
    await row(page, 'daily-report').waitFor();
    assert.equal(await page.getByTestId('new-task').count(), 0, 'the viewer’s rights apply at once');
    await page.close();
  });

  test('the Runs page lists runs across tasks with charts; its filters live in the address', async () => {
    const python = (code, script) =>
      createViaApi({
        name: `Runs ${code}`,
        code,
        type: 'python_script',
        task_config: { script },
        retry_policy: { max_retries: 0, retry_delay_seconds: 1, backoff: 'fixed' },
      });
    const ok = await python('runs-ok', 'print("fine")');
    const bad = await python('runs-bad', 'import sys\nsys.exit(4)');
    for (const task of [ok, bad]) assert.equal((await api(sundial.base, adminToken, 'POST', `/${task.uuid}/run`)).status, 202);
    const ended = async (code) => {
      const runs = (await api(sundial.base, adminToken, 'GET', `/runs?task_code=${code}`)).body.items;
      return runs.length === 1 && !['queued', 'running'].includes(runs[0].status);
    };
    await until(async () => (await ended('runs-ok')) && (await ended('runs-bad')), 60_000, 'both runs to end');

    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    // A shared link: failed runs of one task.
    await page.goto(`${consoleBase}/?view=runs&status=failed&task=${bad.uuid}`);
    const table = page.getByTestId('runs-table');
    const rows = table.locator('tr.ant-table-row');
    await rows.first().locator('[data-status="failed"]').waitFor();
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /Runs runs-bad[\s\S]*runs-bad[\s\S]*Failed[\s\S]*exit 4/);
    assert.equal(await page.getByTestId('runs-status').locator('.ant-select-selection-item').innerText(), 'Failed');
    await page.getByTestId('runs-task').locator('.ant-select-selection-item').filter({ hasText: 'Runs runs-bad (runs-bad)' }).waitFor();
    // The charts count the task's runs of the last 24 hours, whatever their state.
    const summary = page.getByTestId('runs-summary');
    await until(async () => (await summary.getAttribute('data-total')) === '1', 10_000, 'the summary of runs-bad');
    assert.equal(await summary.getAttribute('data-failed'), '1');
    // A red bar for the failure; the mean and the longest duration as points.
    await page.getByTestId('chart-outcomes').locator('svg path[fill="#ff4d4f"]').first().waitFor({ state: 'attached' });
    await page.getByTestId('chart-durations').locator('svg path[stroke="#1677ff"]').first().waitFor({ state: 'attached' });
    await page.getByTestId('chart-durations').locator('svg path[stroke="#ff7a45"]').first().waitFor({ state: 'attached' });

    // Other filters: every task's succeeded runs, in the address, kept by a reload.
    await page.getByTestId('runs-task').locator('.ant-select-clear').click({ force: true });
    await chooseOption(page, page.getByTestId('runs-status'), 'Succeeded');
    await until(async () => new URL(page.url()).search === '?view=runs&status=succeeded', 5_000, 'the address to follow the filters');
    await table.locator('tr.ant-table-row').filter({ hasText: 'runs-ok' }).first().waitFor();
    await page.reload();
    await table.locator('tr.ant-table-row').filter({ hasText: 'runs-ok' }).first().waitFor();
    assert.equal(await table.locator('tr.ant-table-row').filter({ hasText: 'runs-bad' }).count(), 0);
    assert.equal(await page.getByTestId('runs-status').locator('.ant-select-selection-item').innerText(), 'Succeeded');
    await until(async () => Number(await summary.getAttribute('data-total')) >= 2, 10_000, 'the summary of every task');
    await screenshot(page, 'runs-page-1280');
    await page.getByTestId('language-switch').getByText('中文').click();
    await page.getByTestId('page-title').filter({ hasText: '运行记录' }).waitFor();
    await page.getByTestId('chart-outcomes').getByText('运行结果（每 1h）').waitFor();
    await page.getByRole('columnheader', { name: '触发方式' }).waitFor();
    await table.locator('tr.ant-table-row').filter({ hasText: '成功' }).first().waitFor();
    await screenshot(page, 'runs-page-zh-CN-1280');
    await page.getByTestId('language-switch').getByText('EN').click();
    await page.getByTestId('page-title').filter({ hasText: 'Runs' }).waitFor();

    // A run's task opens in the task list with its runs; the menu comes back here.
    await table.locator('tr.ant-table-row').filter({ hasText: 'runs-ok' }).first().getByRole('link', { name: 'Runs runs-ok' }).click();
    await page.locator('.ant-drawer-content').getByTestId('run-history').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('task'), ok.uuid);
    // The drawer charts the task's own runs: one, succeeded.
    const taskCharts = page.locator('.ant-drawer-content').getByTestId('task-run-charts');
    await taskCharts.getByTestId('chart-outcomes').locator('svg path[fill="#52c41a"]').first().waitFor({ state: 'attached' });
    assert.equal(await taskCharts.getByTestId('runs-summary').getAttribute('data-total'), '1');
    await screenshot(page, 'task-drawer-charts-1280');
    await page.keyboard.press('Escape');
    await page.getByTestId('menu-/system/scheduled-tasks/runs').click();
    await page.getByTestId('runs-table').waitFor();
    await page.close();
  });

  test('is usable on a 390 px wide screen', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await watchFirstRow(page);
    await signInWithLink(page, consoleBase, adminToken);
    await row(page, 'daily-report').waitFor();
    await page.getByTestId('list-filters').waitFor();
    assert.equal(await firstRowShift(page), 0, 'the rows stay where they were first drawn');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the page does not scroll sideways (${overflow}px)`);
    // The last status moves under the name on a phone; it too keeps to its cell.
    assert.deepEqual(await tagsOutsideTheirCells(page), []);
    await page.getByTestId('identity-role').waitFor();
    await screenshot(page, 'list-390');
    await page.getByTestId('new-task').click();
    await page.locator('#task_cron').waitFor();
    await settle(page);
    const modal = await page.locator('.ant-modal').boundingBox();
    assert.ok(modal && modal.width <= 390, `the form fits the screen (${modal?.width}px)`);
    await screenshot(page, 'create-modal-390');
    await page.locator('.ant-modal-footer .ant-btn:not(.ant-btn-primary)').click();
    await page.getByTestId('task-name-daily-report').click();
    await page.locator('.ant-drawer-content').getByTestId('task-overview').waitFor();
    await settle(page);
    await screenshot(page, 'drawer-390');
    // The menu folds into a drawer opened from the header.
    await page.keyboard.press('Escape');
    await page.getByTestId('menu-open').click();
    await page.getByTestId('menu-/system/scheduled-tasks/runs').click();
    await page.getByTestId('runs-table').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('view'), 'runs');
    await page.close();
  });

  test('the list page at 1280 px (README screenshot)', async () => {
    const page = await newPage();
    await watchFirstRow(page);
    await signInWithLink(page, consoleBase, adminToken);
    await row(page, 'daily-report').waitFor();
    await page.getByTestId('list-filters').waitFor();
    assert.equal(await firstRowShift(page), 0, 'the rows stay where they were first drawn');
    await page.waitForTimeout(300);
    await screenshot(page, 'list-1280');
    await page.close();
  });

  test('the toolbar sets the row height and the columns shown', async () => {
    const page = await newPage();
    await signInWithLink(page, consoleBase, adminToken);
    await row(page, 'daily-report').waitFor();
    const table = page.locator('.ant-table').first();
    assert.match((await table.getAttribute('class')) ?? '', /ant-table-middle/);
    await page.getByTestId('list-density').click();
    await page.getByRole('menuitem', { name: 'Compact' }).click();
    await page.locator('.ant-table.ant-table-small').waitFor();
    const header = page.locator('.ant-table-thead th').filter({ hasText: /^Next run$/ });
    assert.equal(await header.count(), 1);
    await page.getByTestId('list-column-settings').click();
    await page.getByTestId('list-columns').getByLabel('Next run').uncheck();
    await header.waitFor({ state: 'detached' });
    assert.equal(await row(page, 'daily-report').getByTestId('last-status-daily-report').count(), 1, 'the other columns stay');
    await page.getByTestId('list-columns').getByLabel('Next run').check();
    await header.waitFor();
    await page.close();
  });

  test('the server sends a Content-Security-Policy and nothing the console did was blocked by it', async () => {
    const response = await fetch(`${consoleBase}/`);
    assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.deepEqual(blockedByPolicy, []);
  });
});
