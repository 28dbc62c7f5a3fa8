/** One editable header (or environment variable) row. */
export interface KeyValueRow {
  key: string;
  value: string;
}

const SECRET_NAME =
  /(authorization|auth|token|secret|passw(or)?d|api[-_]?key|access[-_]?key|cookie|session|signature|credential|private)/i;
const SECRET_VALUE = /^(bearer|basic|token|digest)\s+\S+|^(sk|pk|ghp|gho|xox[abp]|AKIA)[-_A-Za-z0-9]{8,}/i;

/**
 * Whether a header looks like it carries a secret, so its value is masked on screen. The
 * same idea as the server's log redaction: judged by the name first, then the value's shape.
 */
export function looksSecret(name: string, value: string): boolean {
  return SECRET_NAME.test(name) || SECRET_VALUE.test(value.trim());
}

export function rowsFromRecord(record: Record<string, string> | undefined): KeyValueRow[] {
  return Object.entries(record ?? {}).map(([key, value]) => ({ key, value }));
}

/** Rows with an empty name are dropped (the editor's blank last row). */
export function recordFromRows(rows: KeyValueRow[] | undefined): Record<string, string> | undefined {
  const entries = (rows ?? []).filter((r) => r.key.trim() !== '').map((r) => [r.key.trim(), r.value] as const);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** A fixed-width mask: not even the length of the secret shows. */
export function maskValue(_value: string): string {
  return '••••••••';
}
