import type { AgentProfile } from '@kefu/protocol';

/**
 * The agent's login, kept in this browser so that a reload stays signed in. The token is the one of
 * `POST /api/auth/login`; signing out revokes it on the server (every node drops its sockets).
 */
const tokenKey = 'kefu:agent-token';

export function storedToken(): string | null {
  try {
    return localStorage.getItem(tokenKey);
  } catch {
    return null;
  }
}

export function forgetToken(): void {
  try {
    localStorage.removeItem(tokenKey);
  } catch {
    // Storage refused: nothing was kept.
  }
}

/** Why sign-in failed; the page words it in the agent's language (`detail`: the server's own message). */
export class LoginError extends Error {
  constructor(
    readonly reason: 'unreachable' | 'credentials' | 'refused',
    readonly status: number | null,
    readonly detail: string | null,
  ) {
    super(detail ?? reason);
  }
}

export async function login(serverUrl: string, email: string, password: string): Promise<AgentProfile> {
  const response = await fetch(`${serverUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  }).catch(() => {
    throw new LoginError('unreachable', null, null);
  });
  const body = (await response.json().catch(() => null)) as { token?: string; agent?: AgentProfile; error?: { message?: string } } | null;
  if (!response.ok || !body?.token || !body.agent) {
    throw new LoginError(response.status === 401 ? 'credentials' : 'refused', response.status, body?.error?.message ?? null);
  }
  try {
    localStorage.setItem(tokenKey, body.token);
  } catch {
    // Without storage the session lasts until the page is closed.
  }
  return body.agent;
}

export async function logout(serverUrl: string, token: string): Promise<void> {
  forgetToken();
  await fetch(`${serverUrl}/api/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } }).catch(() => undefined);
}
