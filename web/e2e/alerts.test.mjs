// Alerts (issue 18) in Chromium against the real binary and a webhook receiver on loopback: an
// admin creates a webhook channel (a refused URL is named under its field; the signing key is
// shown once), adds a tenant default rule and a task rule (a refused throttle under its field),
// sets deadlines (a bad time under its row), runs a failing task and sees the delivery the
// receiver got in the run, the task's Alerts tab and the settings page; rotates the key and
// deletes the channel. One journey in zh-CN for the words. Its own server; ~30 s.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { api, createTask, launchBrowser, screenshot, startSundial, until, watchedPage } from './harness.mjs';
import { chooseOption, popconfirmOk, searchOption, settle, signInWithLink, toast } from './ui.mjs';

let sundial;
let browser;
let token;
let receiver;
/** What the receiver got: each request's headers and raw body. */
const received = [];

before(async () => {
  receiver = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url, headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  // The egress guard refuses loopback; this server opens the receiver's port alone.
  sundial = await startSundial('alerts', { SUNDIAL_EGRESS_ALLOW: `127.0.0.1/32:${receiver.address().port}` });
  token = sundial.token({ tenant: 1, sub: 'e2e-alerts' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sundial?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

const blockedByPolicy = [];
const newPage = () => watchedPage(browser.context, blockedByPolicy);
const tenant = async (method, route, body) => {
  const response = await fetch(`${sundial.base}/api/tree-root/tenant/notify${route}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};
/** The error antd shows under the form item holding the control with this test id. */
const fieldError = (scope, testId) => scope.locator(`.ant-form-item:has([data-testid="${testId}"]) .ant-form-item-explain-error`);
const yearly = { trigger_type: 'cron', trigger_config: { cron: '0 0 1 1 *', timezone: 'UTC' } };

test('an admin sets up a webhook, rules and deadlines, and sees the notice a failing run sent', async () => {
  const task = await createTask(sundial.base, token, {
    name: 'Nightly export',
    code: 'export',
    type: 'python_script',
    task_config: { script: "import sys\nprint('no rows')\nsys.exit(3)\n" },
    retry_policy: { max_retries: 0 },
    ...yearly,
  });
  const hook = `http://127.0.0.1:${receiver.address().port}/hook`;

  const page = await newPage();
  await page.addInitScript(() => localStorage.setItem('sundial.lang', 'en-US'));
  await signInWithLink(page, sundial.base, token);
  await page.getByTestId('menu-/system/alerts').click();
  await page.waitForURL((url) => url.searchParams.get('view') === 'alerts');
  await page.getByTestId('alerts-page').waitFor();

  // A URL the egress guard refuses is named under the URL field; nothing is created.
  await page.getByTestId('channel-new').click();
  const modal = page.locator('.ant-modal-content');
  await modal.getByTestId('channel-name').fill('Ops hook');
  await modal.getByTestId('channel-url').fill('http://169.254.169.254/latest');
  await modal.getByTestId('channel-save').click();
  await fieldError(modal, 'channel-url').getByText('metadata', { exact: false }).waitFor();
  assert.deepEqual((await tenant('GET', '/channels')).body, []);

  // The receiver's URL is taken; the signing key is shown this once.
  await modal.getByTestId('channel-url').fill(hook);
  await modal.getByTestId('channel-save').click();
  const secretText = page.getByTestId('channel-secret');
  await secretText.waitFor();
  const secret = (await secretText.innerText()).trim();
  assert.match(secret, /^whsec_[0-9a-f]{64}$/);
  await settle(page);
  await screenshot(page, 'alerts-secret-1280');
  await page.getByTestId('secret-done').click();
  await page.getByTestId('channels-table').getByText('Ops hook').waitFor();
  const [channel] = (await tenant('GET', '/channels')).body;
  assert.equal(channel.url, hook);
  assert.equal(channel.secret, undefined, 'the key is never listed');
  assert.ok(!(await page.content()).includes(secret), 'the key is gone from the page once stored');

  // A tenant default rule: missed deadlines to the hook, at most once per 10 minutes.
  await page.getByTestId('default-rule-add').click();
  await chooseOption(page, modal.getByTestId('rule-event'), 'Deadline missed');
  await modal.getByTestId('rule-throttle').fill('600');
  await modal.getByTestId('rule-save').click();
  await toast(page, 'Rule added');
  await page.getByTestId('default-rules').getByText('Deadline missed').waitFor();
  await page.getByTestId('default-rules').getByText('once per 600 s').waitFor();
  const defaults = (await tenant('GET', '/rules')).body;
  assert.deepEqual(defaults.map((r) => [r.event, r.channel, r.throttle_seconds, r.task_uuid ?? null]), [['deadline.missed', channel.uuid, 600, null]]);

  // The task's Alerts tab: the defaults apply until it has rules of its own.
  await page.goto(`${sundial.base}/?task=${task.uuid}&tab=alerts`);
  const drawer = page.locator('.ant-drawer-content');
  await drawer.getByTestId('alerts-tab').waitFor();
  await drawer.getByTestId('rules-inherited').getByText('1 default rule(s) apply').waitFor();

  // A throttle the server refuses is shown under its field, in words; 60 s is taken.
  await drawer.getByTestId('task-rule-add').click();
  await modal.getByTestId('rule-threshold').fill('1');
  await modal.getByTestId('rule-throttle').fill('5');
  await modal.getByTestId('rule-save').click();
  await fieldError(modal, 'rule-throttle').getByText('Invalid (60-604800 seconds)').waitFor();
  await modal.getByTestId('rule-throttle').fill('60');
  await modal.getByTestId('rule-save').click();
  await toast(page, 'Rule added');
  await drawer.getByTestId('task-rules').getByText('Run failed').waitFor();
  await drawer.getByTestId('task-rules').getByText('from 1 failure(s) in a row').waitFor();
  const rules = (await api(sundial.base, token, 'GET', `/${task.uuid}/notify-rules`)).body;
  assert.deepEqual(rules.map((r) => [r.event, r.threshold, r.throttle_seconds]), [['run.failed', 1, 60]]);

  // Deadlines: a bad time is named under its row; every 2 hours and by 07:30 on weekdays are set.
  await drawer.getByTestId('deadlines-edit').click();
  await drawer.getByTestId('deadline-add').click();
  await drawer.getByTestId('deadline-every-0').fill('2');
  await drawer.getByTestId('deadline-add').click();
  await chooseOption(page, drawer.getByTestId('deadline-kind-1'), 'Succeed by a time of day');
  await drawer.getByTestId('deadline-by-1').fill('7h30');
  await searchOption(page, drawer.getByTestId('deadline-zone-1'), 'Europe/Berlin');
  await drawer.getByTestId('deadline-days-1').fill('* * MON-FRI');
  await drawer.getByTestId('deadlines-save').click();
  await fieldError(drawer, 'deadline-by-1').waitFor();
  assert.deepEqual((await api(sundial.base, token, 'GET', `/${task.uuid}/deadlines`)).body.deadlines, []);
  await drawer.getByTestId('deadline-by-1').fill('07:30');
  await drawer.getByTestId('deadlines-save').click();
  await toast(page, 'Deadlines saved');
  await drawer.getByTestId('deadlines').getByText('At least every 2 hours').waitFor();
  await drawer.getByTestId('deadlines').getByText('By 07:30 (Europe/Berlin) on “* * MON-FRI”').waitFor();
  const deadlines = (await api(sundial.base, token, 'GET', `/${task.uuid}/deadlines`)).body.deadlines;
  assert.deepEqual(deadlines.map((d) => d.key), ['every 7200s', 'by 07:30 Europe/Berlin on * * MON-FRI']);
  assert.ok(deadlines.every((d) => d.next_due_at), 'each deadline says when it is due');

  // A failing run sends one notice, signed with the key shown, and the console shows it.
  const run = (await api(sundial.base, token, 'POST', `/${task.uuid}/run`)).body;
  let delivery;
  await until(
    async () => {
      [delivery] = (await tenant('GET', `/deliveries?run_uuid=${run.uuid}`)).body;
      return delivery?.status === 'delivered';
    },
    30_000,
    'the run.failed notice to be delivered',
  );
  assert.equal(received.length, 1);
  const [notice] = received;
  assert.equal(notice.headers['sundial-event'], 'run.failed');
  const signature = Object.fromEntries(notice.headers['sundial-signature'].split(',').map((part) => part.split('=')));
  const expected = createHmac('sha256', secret).update(`${signature.t}.`).update(notice.body).digest('hex');
  assert.equal(signature.v1, expected, 'signed with the key the console showed');
  assert.equal(JSON.parse(notice.body.toString()).run, run.uuid);

  await page.goto(`${sundial.base}/?task=${task.uuid}&tab=runs&run=${run.uuid}`);
  await drawer.getByTestId('run-why').getByText('Started by: Run now').waitFor();
  const runDeliveries = drawer.getByTestId('run-deliveries');
  await runDeliveries.getByText('Run failed').waitFor();
  await runDeliveries.getByTestId('delivery-status').getByText('Delivered').waitFor();
  await runDeliveries.getByText('Ops hook').waitFor();
  await runDeliveries.getByRole('cell', { name: '200', exact: true }).waitFor();
  await settle(page);
  await screenshot(page, 'alerts-run-1280');

  await drawer.getByRole('tab', { name: 'Alerts' }).click();
  await drawer.getByTestId('task-deliveries').getByText('Delivered').waitFor();
  await settle(page);
  await screenshot(page, 'alerts-tab-1280');

  // The settings page lists it too; rotating shows a new key once; deleting asks first.
  await page.goto(`${sundial.base}/?view=alerts`);
  await page.getByTestId('deliveries').getByText('Delivered').waitFor();
  await page.getByTestId('deliveries').getByText(task.uuid.slice(0, 8)).waitFor();
  await settle(page);
  await screenshot(page, 'alerts-1280');
  await page.getByTestId('channel-rotate').click();
  await popconfirmOk(page).click();
  await secretText.waitFor();
  const rotated = (await secretText.innerText()).trim();
  assert.match(rotated, /^whsec_[0-9a-f]{64}$/);
  assert.notEqual(rotated, secret);
  await page.getByTestId('secret-done').click();
  await page.getByTestId('channel-grace').waitFor();

  await page.getByTestId('channel-delete').click();
  // Scoped to this question: the rotation's popover may still be leaving.
  const question = page
    .locator('.ant-popover:not(.ant-popover-hidden)')
    .filter({ hasText: 'Delete channel “Ops hook” and the rules that route to it?' });
  await question.waitFor();
  await question.locator('.ant-popconfirm-buttons .ant-btn-primary').click();
  await toast(page, 'Deleted channel “Ops hook”');
  await page.getByTestId('channels-table').getByText('No channels yet').waitFor();
  assert.deepEqual((await tenant('GET', '/rules')).body, []);
  assert.deepEqual((await api(sundial.base, token, 'GET', `/${task.uuid}/notify-rules`)).body, []);
  await page.close();
});

test('the alerts pages in zh-CN', async () => {
  const task = await createTask(sundial.base, token, { name: '夜间导出', code: 'export-zh', ...yearly });
  await api(sundial.base, token, 'PUT', `/${task.uuid}/deadlines`, { deadlines: [{ every_seconds: 7200 }] });
  const page = await newPage();
  await page.addInitScript(() => localStorage.setItem('sundial.lang', 'zh-CN'));
  await signInWithLink(page, sundial.base, token);
  await page.getByTestId('menu-/system/alerts').getByText('告警').click();
  await page.getByText('通知渠道', { exact: true }).waitFor();
  await page.getByText('默认规则', { exact: true }).waitFor();
  await page.getByText('最近的投递', { exact: true }).waitFor();

  // An email channel, its bad recipient named under the field in Chinese.
  await page.getByTestId('channel-new').click();
  const modal = page.locator('.ant-modal-content');
  await modal.getByTestId('channel-name').fill('值班邮箱');
  await modal.getByText('邮件', { exact: true }).click();
  await modal.getByText('邮件通过运维配置的邮件中继发送', { exact: false }).waitFor();
  await modal.getByTestId('channel-to').fill('not-an-address');
  await modal.getByTestId('channel-save').click();
  await fieldError(modal, 'channel-to').waitFor();
  // This server has no mail relay (SUNDIAL_SMTP_HOST): the kind is refused, in Chinese.
  await modal.getByTestId('channel-to').fill('ops@example.com');
  await modal.getByTestId('channel-save').click();
  await fieldError(modal, 'channel-kind').getByText('此部署未配置邮件中继，无法发送邮件').waitFor();
  await settle(page);
  await screenshot(page, 'alerts-zh-1280');

  await page.goto(`${sundial.base}/?task=${task.uuid}&tab=alerts`);
  const drawer = page.locator('.ant-drawer-content');
  await drawer.getByRole('tab', { name: '告警' }).waitFor();
  await drawer.getByTestId('deadlines').getByText('至少每 2 小时成功一次').waitFor();
  await drawer.getByText('通知规则', { exact: true }).waitFor();
  await drawer.getByTestId('deadline-misses').getByText('没有错过的截止时间').waitFor();
  await page.close();
});

test('nothing these pages did was blocked by the Content-Security-Policy', () => {
  assert.deepEqual(blockedByPolicy, []);
});
