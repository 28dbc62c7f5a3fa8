import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { configureHttp } from '../services/http';
import { AuthContext, type AuthState, type SignInProblem } from './context';
import { parseToken, permissionsOf, type Session, tokenFromHash, tokenStore } from './token';

interface Initial {
  session: Session | null;
  problem: SignInProblem | null;
}

/**
 * Takes a sign-in link's `#token=` out of the address: stripped at once with replaceState, so
 * the token is neither in the address bar nor in the history. Null without one.
 */
function takeLinkToken(): Initial | null {
  const { token, rest } = tokenFromHash(window.location.hash);
  if (!token) return null;
  window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search + rest);
  const parsed = parseToken(token);
  if (!parsed.ok) return { session: null, problem: parsed.problem };
  tokenStore.save(parsed.session.token, false);
  return { session: parsed.session, problem: null };
}

/** A sign-in link's token wins over a stored one. */
function initialSession(): Initial {
  const fromLink = takeLinkToken();
  if (fromLink) return fromLink;
  const stored = tokenStore.load();
  if (!stored) return { session: null, problem: null };
  const parsed = parseToken(stored);
  if (!parsed.ok) {
    tokenStore.clear();
    return { session: null, problem: parsed.problem === 'expired' ? 'expired' : null };
  }
  return { session: parsed.session, problem: null };
}

// Every API call reads the token from the store. The client is configured when this module
// loads, before any component's effect can send a request (children's effects run before the
// provider's own, so a drawer opened from the address loads at once). A 401 sends the user
// back to sign in; the provider installs that handler, needed only once a response arrives.
let onUnauthorized: () => void = () => undefined;
configureHttp({ token: () => tokenStore.load(), onUnauthorized: () => onUnauthorized() });

export function AuthProvider({ children }: { children: ReactNode }) {
  const [initial] = useState(initialSession);
  const [session, setSession] = useState<Session | null>(initial.session);
  const [problem, setProblem] = useState<SignInProblem | null>(initial.problem);

  const signOut = useCallback((why?: SignInProblem) => {
    tokenStore.clear();
    setSession(null);
    setProblem(why ?? null);
  }, []);

  const signIn = useCallback((token: string, remember: boolean): SignInProblem | null => {
    const parsed = parseToken(token);
    if (!parsed.ok) return parsed.problem;
    tokenStore.save(parsed.session.token, remember);
    setSession(parsed.session);
    setProblem(null);
    return null;
  }, []);

  // A sign-in link opened in a tab that already shows the console changes only the fragment
  // (no reload): honour it the same way, and take the token out of the address at once.
  useEffect(() => {
    const onHashChange = () => {
      const fromLink = takeLinkToken();
      if (!fromLink) return;
      if (fromLink.session === null) tokenStore.clear();
      setSession(fromLink.session);
      setProblem(fromLink.problem);
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);

  useEffect(() => {
    onUnauthorized = () => signOut('unauthorized');
  }, [signOut]);

  // Leave when the token expires rather than at the next failing click.
  useEffect(() => {
    if (!session) return undefined;
    const ms = session.exp * 1000 - Date.now();
    // setTimeout's limit is ~24.8 days; a longer-lived token is re-checked on reload anyway.
    if (ms > 2 ** 31 - 1) return undefined;
    const timer = window.setTimeout(() => signOut('expired'), Math.max(ms, 0));
    return () => window.clearTimeout(timer);
  }, [session, signOut]);

  const state = useMemo<AuthState>(
    () => ({
      session,
      permissions: permissionsOf(session?.role ?? 'viewer'),
      problem,
      signIn,
      signOut,
    }),
    [session, problem, signIn, signOut],
  );
  return <AuthContext.Provider value={state}>{children}</AuthContext.Provider>;
}
