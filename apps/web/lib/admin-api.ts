/** The admin HTTP API, with the signed-in admin's token. Errors carry the server's message. */
export type AdminApi = <T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) => Promise<T>;

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function adminApi(serverUrl: string, token: string): AdminApi {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${serverUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 204) return undefined as T;
    const json = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    if (!response.ok) throw new AdminApiError(response.status, json?.error?.message ?? `HTTP ${response.status}`);
    return json as T;
  };
}
