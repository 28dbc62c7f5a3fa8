/** Fills `{name}` placeholders; unknown ones stay visible so a missing value is noticed. */
export function formatMessage(template: string, values?: Record<string, string | number>): string {
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/**
 * A template cut at its `{name}` placeholders, for filling them with elements (e.g. `<code>`)
 * rather than text: `'Run {cmd} now'` → `['Run ', { name: 'cmd' }, ' now']`.
 */
export function splitMessage(template: string): (string | { name: string })[] {
  return template
    .split(/(\{\w+\})/)
    .filter((part) => part !== '')
    .map((part) => (/^\{\w+\}$/.test(part) ? { name: part.slice(1, -1) } : part));
}
