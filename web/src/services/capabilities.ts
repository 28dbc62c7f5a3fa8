import { TASKS_API } from './tasks';

/** Optional server features the console adapts to. */
export interface Capabilities {
  runNow: boolean;
  cancelRun: boolean;
}

interface OpenApiDocument {
  paths?: Record<string, Record<string, unknown>>;
}

/**
 * Reads the server's OpenAPI document to learn whether optional routes exist, so that buttons
 * for routes a server does not have yet (run now, cancel: they arrive with the engine) are not
 * offered. When the document cannot be read, everything is assumed present and a 404/405 at
 * use time turns the feature off instead.
 */
export function capabilitiesFrom(doc: OpenApiDocument | null): Capabilities {
  if (!doc?.paths) return { runNow: true, cancelRun: true };
  const paths = Object.entries(doc.paths);
  // Path parameters may be named anything (`{uuid}`, `{run_uuid}`): match their shape.
  const has = (pattern: RegExp) =>
    paths.some(([path, methods]) => pattern.test(path.slice(TASKS_API.length)) && path.startsWith(TASKS_API) && 'post' in methods);
  return { runNow: has(/^\/\{[^}/]+\}\/run$/), cancelRun: has(/^\/runs\/\{[^}/]+\}\/cancel$/) };
}

export async function loadCapabilities(): Promise<Capabilities> {
  try {
    const response = await fetch('/api/openapi.json', { credentials: 'omit' });
    if (!response.ok) return capabilitiesFrom(null);
    return capabilitiesFrom((await response.json()) as OpenApiDocument);
  } catch {
    return capabilitiesFrom(null);
  }
}
