/** The control API (JSON) as the pages call it: one error type with the emulator's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'The emulator does not answer. Is it still running?');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new ApiError(res.status, `${method} ${path}: HTTP ${res.status}, not JSON`);
  }
  if (!res.ok) throw new ApiError(res.status, (json as { message?: string } | undefined)?.message ?? `${method} ${path}: HTTP ${res.status}`);
  return json as T;
}

export const getJson = <T>(path: string): Promise<T> => call<T>('GET', path);
/** A state change through the control API (every change the pages make goes through it). */
export const send = <T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body: unknown = {}): Promise<T> => call<T>(method, path, method === 'DELETE' ? undefined : body);

/** Builds a query string from the defined values. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export const enc = encodeURIComponent;
