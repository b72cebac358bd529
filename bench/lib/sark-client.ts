/** The password every benchmark's SARK child is started with. */
export const BENCH_ADMIN_PASSWORD = "bench-admin-password-1";

/** JSON request to a benchmark's SARK; throws with the status and body on failure. */
export async function sarkJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, {
    ...init,
    headers: { ...(init.body ? { "content-type": "application/json" } : {}), ...init.headers },
  });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Logs in as the bootstrap admin and returns the access token. */
export async function adminToken(baseUrl: string): Promise<string> {
  const { access_token } = await sarkJson<{ access_token: string }>(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    body: JSON.stringify({ username: "admin", password: BENCH_ADMIN_PASSWORD }),
  });
  return access_token;
}
