// Failures a user must see, in their language: a server field error said once under its field,
// and a list that cannot be refreshed (the server is down) says so lastingly, greys the rows it
// still shows and never shows old rows under a new search. Its own server, which it stops.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, launchBrowser, screenshot, startSundial } from './harness.mjs';
import { formItem, row, searchField, signInWithLink } from './ui.mjs';

let sundial;
let browser;
let token;

before(async () => {
  sundial = await startSundial('failures');
  token = sundial.token({ tenant: 1, sub: 'e2e-failures' });
  for (const [code, name] of [['nightly-export', 'Nightly export'], ['weekly-sync', 'Weekly sync']]) {
    const created = await api(sundial.base, token, 'POST', '/', {
      name,
      code,
      type: 'api_call',
      task_config: { url: 'https://example.com/hook', method: 'POST' },
      trigger_type: 'cron',
      trigger_config: { cron: '0 0 * * *', timezone: 'UTC' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sundial?.stop();
});

/** The error texts under the cron field, once the preview or a save has put them there. */
async function cronErrors(page) {
  const explain = formItem(page, 'task_cron').locator('.ant-form-item-explain-error');
  await explain.first().waitFor();
  return explain.allInnerTexts();
}

test('a bad cron says one thing, under the field, in the reader’s language; a save says the same', async () => {
  const page = await browser.context.newPage();
  await signInWithLink(page, sundial.base, token);
  await page.getByTestId('new-task').click();
  await page.locator('#task_cron').fill('61 * * * *');
  await page.getByTestId('trigger-preview').getByText('No preview until the trigger above is valid.').waitFor();
  const errors = await cronErrors(page);
  assert.equal(errors.length, 1, errors.join(' | '));
  assert.match(errors[0], /^Not a valid cron expression \(.+\)$/);
  // Nothing else on the form words the problem again (no cron-in-words warning, no preview error).
  const modal = await page.locator('.ant-modal-body').innerText();
  assert.equal(modal.split(/not a valid cron|cannot compute|not a cron/i).length - 1, 1, modal);

  await page.evaluate(() => localStorage.setItem('sundial.lang', 'zh-CN'));
  await page.reload();
  await page.getByTestId('new-task').click();
  await page.locator('#task_name').fill('坏的 cron');
  await page.locator('#task_code').fill('bad-cron');
  await page.locator('#task_url').fill('https://example.com/hook');
  await page.locator('#task_cron').fill('61 * * * *');
  const [chinese] = await cronErrors(page);
  assert.match(chinese, /^不是有效的 cron 表达式（.+）$/);
  const rejected = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/scheduled-tasks/'));
  await page.locator('.ant-modal-footer .ant-btn-primary').click();
  assert.equal((await rejected).status(), 422);
  assert.deepEqual(await cronErrors(page), [chinese]);
  await screenshot(page, 'bad-cron-zh-CN');
  await page.close();
});

test('with the server down the list keeps a banner with a retry, greys its rows, and shows no old rows under a new search', async () => {
  const page = await browser.context.newPage();
  await page.addInitScript(() => localStorage.setItem('sundial.lang', 'en-US'));
  await signInWithLink(page, sundial.base, token);
  await row(page, 'nightly-export').waitFor();
  await row(page, 'weekly-sync').waitFor();

  await sundial.stop();
  // A refresh of the same view: the rows stay, greyed, under a lasting banner.
  await page.locator('.ant-pro-table-list-toolbar-setting-item .anticon-reload').click();
  const banner = page.getByTestId('list-outage');
  await banner.waitFor();
  assert.equal(await banner.getAttribute('data-kind'), 'offline');
  assert.match(await banner.innerText(), /Cannot reach the server\. Retrying every 10 s\./);
  assert.match(await banner.innerText(), /as loaded at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  await page.locator('tr.ant-table-row.stale-row').nth(1).waitFor();
  const opacity = await page.locator('tr.stale-row td').first().evaluate((td) => getComputedStyle(td).opacity);
  assert.ok(Number(opacity) < 1, `stale rows are greyed (opacity ${opacity})`);
  await screenshot(page, 'list-offline-1280');

  // A new search that cannot be answered shows nothing rather than the old, unfiltered rows.
  await searchField(page, 'Name / code').locator('input').fill('weekly');
  await page.locator('.ant-pro-table-search .ant-btn-primary').click();
  await page.getByTestId('empty-outage').waitFor();
  assert.equal(await page.locator('tr.ant-table-row').count(), 0);
  assert.match(await banner.innerText(), /Nothing is shown for this search until the server answers\./);

  // The retry asks again (and fails again): the banner stays, no toast replaces it.
  const retried = page.waitForRequest((r) => r.url().includes('/list?') && r.url().includes('keyword=weekly'));
  await page.getByTestId('list-retry').click();
  await retried;
  await banner.waitFor();
  await page.close();
});
