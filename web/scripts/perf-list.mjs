// Measures the task list with 1,000 tasks in the tenant, in Chromium against the real binary:
// how long from navigation to the first rows, and from the click on "100 / page" to 100 rows
// drawn; then the first rows of a returning operator (the third load in the same browser). A
// measurement that reports figures, not a test: nothing here passes or fails on time.
//
//   SUNDIAL_BIN=../target/debug/sundial node scripts/perf-list.mjs [rounds]
//
// Each round starts a browser of its own with an empty cache, signed in from a stored token (no
// sign-in link: its redirect is not what is measured).

import { launchBrowser, startSundial } from '../e2e/harness.mjs';
import { importTasks } from './perfTasks.mjs';

const rounds = Number(process.argv[2] ?? 5);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const summary = (values) =>
  `median ${median(values).toFixed(0)} ms, min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)} (${values.map((v) => v.toFixed(0)).join(', ')})`;

/**
 * Opens the list at `base` in a new tab of `context`, signed in the way a returning user is (a token in
 * sessionStorage), and waits for its first rows. The page notes when the first rows and then 100
 * rows are in the DOM, and when "100 / page" is clicked.
 */
async function openList(context, base, token) {
  const page = await context.newPage();
  await page.addInitScript((t) => {
    sessionStorage.setItem('sundial.token', t);
    localStorage.setItem('sundial.lang', 'en-US');
    const marks = (window.__marks = {});
    document.addEventListener(
      'click',
      (event) => {
        const option = event.target instanceof Element && event.target.closest('.ant-select-item-option');
        if (option && option.textContent.trim() === '100 / page') marks.clicked = performance.now();
      },
      true,
    );
    new MutationObserver(() => {
      const rows = document.querySelectorAll('tr.ant-table-row').length;
      if (rows > 0 && marks.firstRows === undefined) marks.firstRows = performance.now();
      if (rows >= 100 && marks.clicked !== undefined && marks.hundred === undefined) marks.hundred = performance.now();
    }).observe(document, { childList: true, subtree: true });
  }, token);
  await page.goto(`${base}/`);
  await page.waitForFunction(() => window.__marks.firstRows !== undefined, null, { timeout: 30_000 });
  const marks = await page.evaluate(() => window.__marks);
  // The first paint comes after the task that put the rows in the DOM: what the eye sees.
  const painted = await page.evaluate(
    () => performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint')?.startTime,
  );
  return { page, marks, painted };
}

const sundial = await startSundial('perf-list');
try {
  const token = await importTasks(sundial);

  const firstRows = [];
  const firstPaints = [];
  const toHundred = [];
  const warmRows = [];
  const warmPaints = [];
  for (let round = 0; round < rounds; round += 1) {
    const browser = await launchBrowser();
    try {
      const cold = await openList(browser.context, sundial.base, token);
      const { page, marks } = cold;
      // Quiet before the click: the list's own 10 s poll is not what is measured.
      await page.waitForTimeout(500);
      await page.locator('.ant-pagination-options .ant-select').click();
      await page.locator('.ant-select-item-option').filter({ hasText: /^100 \/ page$/ }).click();
      await page.waitForFunction(() => window.__marks.hundred !== undefined, null, { timeout: 30_000 });
      const after = await page.evaluate(() => window.__marks);
      // Where the time goes: the list requests as the browser timed them (request to last byte).
      const lists = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/list?'))
          .map((e) => ({ size: new URL(e.name).searchParams.get('page_size'), start: e.startTime, ms: e.responseEnd - e.startTime })),
      );
      const first = lists.find((l) => l.size === '20');
      const hundred = lists.find((l) => l.size === '100' && l.start >= after.clicked);
      firstRows.push(marks.firstRows);
      if (cold.painted !== undefined) firstPaints.push(cold.painted);
      toHundred.push(after.hundred - after.clicked);
      // A returning operator: the same browser loads the page twice more, and the third load
      // runs on its HTTP cache and the script's compiled code that Chromium keeps from the second.
      await page.close();
      await (await openList(browser.context, sundial.base, token)).page.close();
      const warm = await openList(browser.context, sundial.base, token);
      warmRows.push(warm.marks.firstRows);
      if (warm.painted !== undefined) warmPaints.push(warm.painted);
      console.log(
        `round ${round + 1}: first rows ${marks.firstRows.toFixed(0)} ms after navigation, painted at ${cold.painted?.toFixed(0)} ms (its /list ${first?.ms.toFixed(0)} ms, asked at ${first?.start.toFixed(0)} ms); ` +
          `100 rows ${(after.hundred - after.clicked).toFixed(0)} ms after the click (its /list ${hundred?.ms.toFixed(0)} ms, asked ${(hundred?.start - after.clicked).toFixed(0)} ms after the click); ` +
          `third load: first rows ${warm.marks.firstRows.toFixed(0)} ms, painted at ${warm.painted?.toFixed(0)} ms`,
      );
    } finally {
      await browser.close();
    }
  }
  console.log(`first rows after navigation: ${summary(firstRows)}`);
  if (firstPaints.length > 0) console.log(`first contentful paint: ${summary(firstPaints)}`);
  console.log(`click on 100 / page to 100 rows: ${summary(toHundred)}`);
  console.log(`third load (warm caches), first rows: ${summary(warmRows)}`);
  if (warmPaints.length > 0) console.log(`third load (warm caches), first contentful paint: ${summary(warmPaints)}`);
} finally {
  await sundial.stop();
}
