import { createContext, useContext } from 'react';
import type { Permissions, Session, TokenProblem } from './token';

export type SignInProblem = TokenProblem | 'unauthorized';

export interface AuthState {
  session: Session | null;
  permissions: Permissions;
  /** Why the user is on the sign-in screen, if not simply for the first time. */
  problem: SignInProblem | null;
  signIn: (token: string, remember: boolean) => SignInProblem | null;
  signOut: (problem?: SignInProblem) => void;
}

export const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}
