import type { JsonValue } from '../../../../services/types';
import { looksSecret, maskValue } from '../../../../utils/headers';

type JsonObject = { [key: string]: JsonValue };

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Header values that look like secrets, masked (for read-only views of a task's config). */
export function redactHeaders(headers: JsonValue | undefined): JsonValue | undefined {
  if (!isObject(headers)) return headers;
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      typeof value === 'string' && looksSecret(name, value) ? maskValue(value) : value,
    ]),
  );
}

/** A task config (or a whole definition holding one) with secret-looking headers masked. */
export function redactDefinition<T extends { [key: string]: JsonValue }>(definition: T): T {
  const copy: JsonObject = { ...definition };
  if (isObject(copy.headers)) copy.headers = redactHeaders(copy.headers) ?? null;
  if (isObject(copy.task_config)) copy.task_config = redactDefinition(copy.task_config);
  return copy as T;
}
