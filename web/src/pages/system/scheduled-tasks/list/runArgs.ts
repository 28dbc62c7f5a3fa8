import type { ApiCallConfig, Task } from '../../../../services/types';

/** Largest run arguments the server takes, as JSON bytes (`POST /{uuid}/run`). */
export const MAX_RUN_ARGS_BYTES = 64 * 1024;

/** Where a task puts run arguments: a script's `args`, an `api_call`'s JSON body, or nowhere. */
export type ArgsTarget = 'script' | 'body' | 'none';

/**
 * Where `task` puts the arguments of a run: a python script reads them as `args` in
 * `SUNDIAL_CONTEXT`; an `api_call` with POST, PUT or PATCH merges them into its JSON body (which
 * must be an object, or absent); other calls send no body and cannot take any (docs/api.md).
 */
export function argsTarget(task: Task): ArgsTarget {
  if (task.type === 'python_script') return 'script';
  const config = task.task_config as ApiCallConfig;
  const method = (config.method ?? 'GET').toUpperCase();
  const data = config.data as unknown;
  const objectBody = data === null || data === undefined || (typeof data === 'object' && !Array.isArray(data));
  return ['POST', 'PUT', 'PATCH'].includes(method) && objectBody ? 'body' : 'none';
}

/** What the arguments editor holds, judged as the server will. */
export type ParsedArgs =
  | { ok: true; args: Record<string, unknown> | undefined }
  | { ok: false; error: 'invalidJson'; detail: string }
  | { ok: false; error: 'notObject' }
  | { ok: false; error: 'tooLarge'; size: number };

/** Parses the editor's text: blank is no arguments; otherwise a JSON object of at most 64 KiB. */
export function parseRunArgs(text: string): ParsedArgs {
  if (text.trim() === '') return { ok: true, args: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: 'invalidJson', detail: error instanceof Error ? error.message : String(error) };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'notObject' };
  const size = new TextEncoder().encode(JSON.stringify(value)).length;
  if (size > MAX_RUN_ARGS_BYTES) return { ok: false, error: 'tooLarge', size };
  return { ok: true, args: value as Record<string, unknown> };
}

/** The editor's first text: a script's own arguments, to change for this run; else empty. */
export function initialArgsText(task: Task): string {
  if (task.type !== 'python_script') return '';
  const args = (task.task_config as { args?: unknown }).args;
  return args !== null && typeof args === 'object' && !Array.isArray(args) ? JSON.stringify(args, null, 2) : '';
}
