import type { Problem } from './types';

/** A non-2xx answer, with the problem+json body when the server sent one. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  /** Seconds the server asked to wait before trying again (`Retry-After`, on 429 and 503). */
  readonly retryAfterSeconds: number | null;

  constructor(status: number, problem: Problem | null, fallback: string, retryAfterSeconds: number | null = null) {
    super(problem?.detail || problem?.title || fallback);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The server could not be reached at all (down, or the network is): no answer to show. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'NetworkError';
  }
}

/**
 * `Retry-After` in seconds: whole seconds as Sundial sends them, or an HTTP date (RFC 9110)
 * counted from `now`; null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

interface HttpHooks {
  token: () => string | null;
  /** Called on any 401: the token is missing, expired or signed with another secret. */
  onUnauthorized: () => void;
}

// Set once by the auth provider; the client itself stays free of React.
let hooks: HttpHooks = { token: () => null, onUnauthorized: () => undefined };

export function configureHttp(next: HttpHooks): void {
  hooks = next;
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Problem).status === 'number' &&
    typeof (value as Problem).code === 'string'
  );
}

async function readProblem(response: Response): Promise<Problem | null> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return null;
  try {
    const body: unknown = await response.json();
    return isProblem(body) ? body : null;
  } catch {
    return null;
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
}

export function buildQuery(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function send(url: string, token: string | null, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  return fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body,
    signal: options.signal,
    // The token travels in the header only; no cookies are involved.
    credentials: 'omit',
  });
}

/** A GET sent before the console asked for it, kept for the console's first request to its path. */
let early: { path: string; url: string; token: string; response: Promise<Response> } | null = null;

/**
 * Sends a GET now, while the rest of the console is still loading, and resolves to its JSON
 * body (rejects on any failure). The first `request` to the same path takes over the answer
 * when it asks for the same URL with the same token (and handles its errors as usual), rather
 * than asking again; any other request to that path drops it, so it is never served late.
 */
export function prefetch<T>(path: string, query: RequestOptions['query'], token: string): Promise<T> {
  const url = path + buildQuery(query);
  const sent = send(url, token, {});
  // Registered before the body is read below, so the copy is taken while the body is unread.
  const response = sent.then((response) => response.clone());
  // Its failure is reported by the request that takes it over, if any.
  response.catch(() => undefined);
  early = { path, url, token, response };
  return sent.then((response) => (response.ok ? (response.json() as Promise<T>) : Promise.reject(new Error(`${response.status}`))));
}

function takeEarly(path: string, url: string, token: string | null, options: RequestOptions): Promise<Response> | null {
  if (early?.path !== path) return null;
  const taken = early;
  early = null;
  const same = taken.url === url && taken.token === token && (options.method ?? 'GET') === 'GET' && !options.signal;
  return same ? taken.response : null;
}

/** Calls the API with the signed-in token; resolves to the JSON body (undefined for 204). */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const token = hooks.token();
  const url = path + buildQuery(options.query);
  let response: Response;
  try {
    response = await (takeEarly(path, url, token, options) ?? send(url, token, options));
  } catch (error) {
    // An abort is the caller's own doing, not an outage.
    if (options.signal?.aborted) throw error;
    throw new NetworkError(error);
  }
  if (!response.ok) {
    const problem = await readProblem(response);
    if (response.status === 401) hooks.onUnauthorized();
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    throw new ApiError(response.status, problem, `${response.status} ${response.statusText}`, retryAfter);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
