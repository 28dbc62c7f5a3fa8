// Small helpers for driving antd widgets the way a person does: click, type, pick.

export const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Opens the sign-in link and waits for the header to show who is signed in. */
export async function signInWithLink(page, base, token) {
  await page.goto(`${base}/#token=${token}`);
  await page.getByTestId('identity').waitFor();
}

/** Picks `label` in an antd Select (the `.ant-select` element given). */
export async function chooseOption(page, select, label) {
  await select.click();
  const option = page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')
    .filter({ hasText: new RegExp(`^${escapeRegExp(label)}$`) })
    .first();
  await option.click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').waitFor({ state: 'hidden' }).catch(() => {});
}

/** Types into a searchable Select (long, virtual lists such as time zones) and takes the match. */
export async function searchOption(page, select, text) {
  await select.click();
  await page.keyboard.type(text);
  await page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')
    .filter({ hasText: new RegExp(`^${escapeRegExp(text)}$`) })
    .first()
    .click();
}

/** The Form.Item (row) that holds the control with this id. */
export const formItem = (page, id) => page.locator(`.ant-form-item:has(#${id})`).first();

/** Waits for a toast containing `text`. */
export async function toast(page, text) {
  await page.locator('.ant-message-notice').filter({ hasText: text }).first().waitFor();
}

/** The table row of the task with this code. */
export const row = (page, code) =>
  page.locator('tr.ant-table-row').filter({ has: page.getByTestId(`active-${code}`) });

/** The visible Popconfirm's OK button. */
export const popconfirmOk = (page) =>
  page.locator('.ant-popover:not(.ant-popover-hidden) .ant-popconfirm-buttons .ant-btn-primary');

/** A filter of the list's filter bar, by its label. */
export const searchField = (page, label) => page.locator(`.list-filters .list-filter[data-label="${label}"]`).first();

/** Codes of the rows the table shows, in order. */
export async function visibleCodes(page) {
  await page.locator('.ant-table-tbody .ant-spin-spinning, .ant-spin-container.ant-spin-blur').waitFor({ state: 'detached' }).catch(() => {});
  return page.locator('tr.ant-table-row [data-testid^="active-"]').evaluateAll((nodes) =>
    nodes.map((n) => n.getAttribute('data-testid').slice('active-'.length)),
  );
}

/** Waits for antd's open/close motions (0.3 s) to end, so screenshots show the final state. */
export const settle = (page) => page.waitForTimeout(450);

/**
 * Tags in the list's rows that reach out of their cell's content box (into the padding, and so
 * toward the next column's text), as "row code: tag text [left–right] outside [left–right]".
 */
export async function tagsOutsideTheirCells(page) {
  return page.locator('tr.ant-table-row').evaluateAll((rows) =>
    rows.flatMap((tr) =>
      [...tr.querySelectorAll('td .ant-tag')].flatMap((tag) => {
        const td = tag.closest('td');
        const cell = td.getBoundingClientRect();
        const style = getComputedStyle(td);
        const left = cell.left + parseFloat(style.paddingLeft);
        const right = cell.right - parseFloat(style.paddingRight);
        const box = tag.getBoundingClientRect();
        if (box.width > 0 && box.left >= left - 0.5 && box.right <= right + 0.5) return [];
        const code = tr.querySelector('[data-testid^="active-"]')?.getAttribute('data-testid').slice('active-'.length);
        return [`${code}: ${tag.textContent} [${box.left.toFixed(1)}–${box.right.toFixed(1)}] outside [${left.toFixed(1)}–${right.toFixed(1)}]`];
      }),
    ),
  );
}

/** The horizontal gap in px between a row's last-status tag and its duration text (negative: they overlap). */
export async function statusToDurationGap(page, code) {
  const tag = await page.getByTestId(`last-status-${code}`).locator('.ant-tag').first().boundingBox();
  const duration = await page.getByTestId(`duration-${code}`).boundingBox();
  return duration.x - (tag.x + tag.width);
}

/**
 * Records, before the page's scripts run, where the list's first row is when it first enters the
 * DOM (its top in the document); `firstRowShift` then says how far it has moved since.
 */
export async function watchFirstRow(page) {
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      const row = document.querySelector('tr.ant-table-row');
      if (!row) return;
      window.__firstRowTop = row.getBoundingClientRect().top + window.scrollY;
      observer.disconnect();
    }).observe(document, { childList: true, subtree: true });
  });
}

/** How far (px, down positive) the list's first row has moved since it was first drawn. */
export const firstRowShift = (page) =>
  page.evaluate(() => document.querySelector('tr.ant-table-row').getBoundingClientRect().top + window.scrollY - window.__firstRowTop);
