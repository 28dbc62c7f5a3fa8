// The main thread's CPU time until the list's first rows, for two consoles load by load: each
// served by its own binary (a debug binary serves the `web/dist` it was built in), 1,000 tasks in
// each. A measurement that reports figures, not a test.
//
//   SUNDIAL_BIN_A=/path/to/main/sundial SUNDIAL_BIN_B=../target/debug/sundial \
//     node scripts/perf-first-rows.mjs [loads]
//
// Each load is a browser of its own (empty cache) signed in from a stored token. The page pauses
// itself in the debugger as the first row enters the DOM, and `Performance.getMetrics` then
// gives the renderer main thread's CPU time (`ThreadTime`), which other work on a shared machine
// moves much less than the wall time; the order alternates from one load to the next.

import { launchBrowser, startSundial } from '../e2e/harness.mjs';
import { importTasks } from './perfTasks.mjs';

const loads = Number(process.argv[2] ?? 15);
const bins = [process.env.SUNDIAL_BIN_A, process.env.SUNDIAL_BIN_B];
if (!bins[0] || !bins[1]) throw new Error('SUNDIAL_BIN_A and SUNDIAL_BIN_B must name the two binaries');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const summary = (values) =>
  `median ${median(values).toFixed(0)} ms, min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)} (${values.map((v) => v.toFixed(0)).join(', ')})`;

/** One load: the main thread's CPU time and the wall time (from navigation) at the first row. */
async function measure(base, token) {
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.addInitScript((t) => {
      sessionStorage.setItem('sundial.token', t);
      localStorage.setItem('sundial.lang', 'en-US');
      new MutationObserver((_, observer) => {
        if (!document.querySelector('tr.ant-table-row')) return;
        observer.disconnect();
        window.__firstRows = performance.now();
        // Stops the page right there, for the DevTools protocol to read its metrics.
        // eslint-disable-next-line no-debugger
        debugger;
      }).observe(document, { childList: true, subtree: true });
    }, token);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await cdp.send('Debugger.enable');
    const metrics = new Promise((resolve) => {
      cdp.on('Debugger.paused', async () => {
        const { metrics: list } = await cdp.send('Performance.getMetrics');
        await cdp.send('Debugger.resume');
        resolve(Object.fromEntries(list.map((m) => [m.name, m.value])));
      });
    });
    await page.goto(`${base}/`);
    const { ThreadTime } = await metrics;
    return { cpu: ThreadTime * 1000, wall: await page.evaluate(() => window.__firstRows) };
  } finally {
    await browser.close();
  }
}

const sides = [];
try {
  for (const bin of bins) {
    process.env.SUNDIAL_BIN = bin;
    const sundial = await startSundial('perf-first-rows');
    sides.push({ bin, sundial, token: await importTasks(sundial), cpu: [], wall: [] });
  }
  for (let load = 0; load < loads; load += 1) {
    for (const side of load % 2 === 0 ? sides : [...sides].reverse()) {
      const { cpu, wall } = await measure(side.sundial.base, side.token);
      side.cpu.push(cpu);
      side.wall.push(wall);
    }
  }
  for (const side of sides) {
    console.log(side.bin);
    console.log(`  main thread CPU to the first rows: ${summary(side.cpu)}`);
    console.log(`  wall time to the first rows: ${summary(side.wall)}`);
  }
} finally {
  for (const side of sides) await side.sundial.stop();
}
