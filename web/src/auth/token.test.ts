import { describe, expect, it } from 'vitest';
import { parseToken, permissionsOf, strongestRole, tokenFromHash } from './token';

function b64url(value: object | string): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const binary = Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join('');
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
const NOW = 1_900_000_000;
const jwt = (claims: object) => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.c2lnbmF0dXJl`;

describe('parseToken', () => {
  it('reads tenant, subject, role and expiry', () => {
    const parsed = parseToken(jwt({ tenant_id: 7, sub: 'alice', exp: NOW + 60, roles: ['viewer'] }), NOW);
    expect(parsed).toEqual({
      ok: true,
      session: expect.objectContaining({ tenantId: 7, subject: 'alice', role: 'viewer', exp: NOW + 60 }),
    });
  });

  it('treats a token without roles as viewer, the server\'s default role', () => {
    const parsed = parseToken(jwt({ tenant_id: 1, sub: 'cli', exp: NOW + 60 }), NOW);
    expect(parsed.ok && parsed.session.role).toBe('viewer');
  });

  it('accepts a pasted "Bearer …" value and surrounding whitespace', () => {
    const token = jwt({ tenant_id: 1, sub: 'x', exp: NOW + 60 });
    const parsed = parseToken(`  Bearer ${token}\n`, NOW);
    expect(parsed.ok && parsed.session.token).toBe(token);
  });

  it('decodes UTF-8 subjects', () => {
    const parsed = parseToken(jwt({ tenant_id: 1, sub: '张三', exp: NOW + 60 }), NOW);
    expect(parsed.ok && parsed.session.subject).toBe('张三');
  });

  it.each([
    ['not a jwt', 'malformed'],
    ['a.b', 'malformed'],
    [`${b64url('{}')}.${b64url('[1]')}.sig`, 'malformed'],
    [`${b64url('{}')}.not*base64.sig`, 'malformed'],
    [jwt({ sub: 'x', exp: NOW + 60 }), 'no_tenant'],
    [jwt({ tenant_id: '7', sub: 'x', exp: NOW + 60 }), 'no_tenant'],
    [jwt({ tenant_id: 0, sub: 'x', exp: NOW + 60 }), 'no_tenant'],
    [jwt({ tenant_id: 7, sub: 'x', exp: NOW - 1 }), 'expired'],
    [jwt({ tenant_id: 7, sub: 'x' }), 'expired'],
  ])('rejects %s as %s', (token, problem) => {
    expect(parseToken(token, NOW)).toEqual({ ok: false, problem });
  });
});

describe('strongestRole', () => {
  it('matches the server: strongest known role, unknown-only means viewer', () => {
    expect(strongestRole(undefined)).toBe('viewer');
    expect(strongestRole('viewer admin')).toBe('admin');
    expect(strongestRole(['viewer', 'operator'])).toBe('operator');
    expect(strongestRole(['viewer', 'admin'])).toBe('admin');
    expect(strongestRole(['superuser'])).toBe('viewer');
    expect(strongestRole([])).toBe('viewer');
    expect(strongestRole(42)).toBe('viewer');
  });

  it('gives operators start/stop/run but not edit', () => {
    expect(permissionsOf('admin')).toEqual({ canEdit: true, canOperate: true });
    expect(permissionsOf('operator')).toEqual({ canEdit: false, canOperate: true });
    expect(permissionsOf('viewer')).toEqual({ canEdit: false, canOperate: false });
  });
});

describe('tokenFromHash', () => {
  it('takes the token out of the fragment and keeps the rest', () => {
    expect(tokenFromHash('#token=abc.def.ghi')).toEqual({ token: 'abc.def.ghi', rest: '' });
    expect(tokenFromHash('#token=abc.def.ghi&tab=runs')).toEqual({ token: 'abc.def.ghi', rest: '#tab=runs' });
    expect(tokenFromHash('')).toEqual({ token: null, rest: '' });
    expect(tokenFromHash('#tab=runs')).toEqual({ token: null, rest: '#tab=runs' });
    expect(tokenFromHash('#token=')).toEqual({ token: null, rest: '' });
  });
});
