// Token handling without React: parsing the JWT's claims (for display and role-based UI only;
// the server verifies every request), reading it from the sign-in link, and storing it.

export type Role = 'admin' | 'operator' | 'viewer';

export interface Session {
  token: string;
  tenantId: number;
  subject: string;
  role: Role;
  /** Expiry in seconds since the epoch. */
  exp: number;
}

export type TokenProblem = 'malformed' | 'expired' | 'no_tenant';

export type ParsedToken = { ok: true; session: Session } | { ok: false; problem: TokenProblem };

function decodeBase64Url(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * Same rule as the server: the strongest known role. No `roles` means the server's
 * `SUNDIAL_JWT_DEFAULT_ROLE`, `viewer` unless the operator changed it; the console assumes
 * `viewer`, so it never offers an action the server would refuse.
 */
export function strongestRole(roles: unknown): Role {
  if (roles === undefined || roles === null) return 'viewer';
  if (typeof roles === 'string') return strongestRole(roles.split(/\s+/));
  if (!Array.isArray(roles)) return 'viewer';
  if (roles.includes('admin')) return 'admin';
  if (roles.includes('operator')) return 'operator';
  return 'viewer';
}

/** Reads a JWT's claims. `nowSeconds` is injectable for tests. */
export function parseToken(raw: string, nowSeconds = Date.now() / 1000): ParsedToken {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
    return { ok: false, problem: 'malformed' };
  }
  let claims: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(decodeBase64Url(parts[1]));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { ok: false, problem: 'malformed' };
    }
    claims = parsed as Record<string, unknown>;
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  const tenantId = claims.tenant_id;
  if (typeof tenantId !== 'number' || !Number.isInteger(tenantId) || tenantId <= 0) {
    return { ok: false, problem: 'no_tenant' };
  }
  const exp = typeof claims.exp === 'number' ? claims.exp : 0;
  if (exp <= nowSeconds) return { ok: false, problem: 'expired' };
  return {
    ok: true,
    session: {
      token,
      tenantId,
      subject: typeof claims.sub === 'string' ? claims.sub : '',
      role: strongestRole(claims.roles),
      exp,
    },
  };
}

/**
 * The token in a sign-in link's fragment (`#token=<JWT>`), and the fragment without it.
 * A fragment never reaches the server, so the token stays out of access logs.
 */
export function tokenFromHash(hash: string): { token: string | null; rest: string } {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!text) return { token: null, rest: '' };
  const params = new URLSearchParams(text);
  const token = params.get('token');
  params.delete('token');
  const rest = params.toString();
  return { token: token || null, rest: rest ? `#${rest}` : '' };
}

const KEY = 'sundial.token';

/** Where a token lives: the tab (session) unless the user asked to be remembered. */
export const tokenStore = {
  load(): string | null {
    return sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
  },
  save(token: string, remember: boolean): void {
    this.clear();
    (remember ? localStorage : sessionStorage).setItem(KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
  },
};

export interface Permissions {
  /** Create, edit and delete definitions. */
  canEdit: boolean;
  /** Start, stop, run now and cancel. */
  canOperate: boolean;
}

export function permissionsOf(role: Role): Permissions {
  return { canEdit: role === 'admin', canOperate: role === 'admin' || role === 'operator' };
}
