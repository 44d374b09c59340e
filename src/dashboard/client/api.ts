/** The cookie the emulator's guard reads the admin token from (EventSource cannot send headers). */
const ADMIN_TOKEN_COOKIE = 'guuru-emulator-admin-token';

export function setAdminToken(token: string): void {
  document.cookie = `${ADMIN_TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; SameSite=Strict`;
}

/** A token given once in the address (…/?token=…, as the start banner prints it) is kept in a cookie and taken out of the address. */
export function adoptTokenFromUrl(): void {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (!token) return;
  setAdminToken(token);
  url.searchParams.delete('token');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

type TokenListener = () => void;
const tokenListeners = new Set<TokenListener>();
/** Called when the emulator asks for its admin token (401 ADMIN_TOKEN_REQUIRED). */
export function onTokenRequired(listener: TokenListener): () => void {
  tokenListeners.add(listener);
  return () => void tokenListeners.delete(listener);
}

/** The control API (JSON) as the pages call it: one error type with the emulator's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The emulator's error code (ALREADY_ACCEPTED, CHAT_NOT_OPEN, …), when it gave one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The control API's codes as the Admin API names them (docs/graphql-api.md), so a refusal reads the same in both. */
const ADMIN_API_CODES: Record<string, string> = {
  ALREADY_ACCEPTED: 'CHAT_ALREADY_ACCEPTED',
  INVALID_TRANSITION: 'INVALID_STATE_TRANSITION',
  INVALID_ARGUMENT: 'BAD_USER_INPUT',
};

/** An error as a person reads it: the Admin API's code, then the emulator's message. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError && e.code) return `${ADMIN_API_CODES[e.code] ?? e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
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
  if (res.status === 401 && (json as { code?: string } | undefined)?.code === 'ADMIN_TOKEN_REQUIRED')
    tokenListeners.forEach((l) => l());
  const answer = json as { message?: string; code?: string } | undefined;
  if (!res.ok) throw new ApiError(res.status, answer?.message ?? `${method} ${path}: HTTP ${res.status}`, answer?.code);
  return json as T;
}

export const getJson = <T>(path: string): Promise<T> => call<T>('GET', path);
/** A state change through the control API (every change the pages make goes through it). */
export const send = <T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body: unknown = {}): Promise<T> =>
  call<T>(method, path, method === 'DELETE' ? undefined : body);

/** Builds a query string from the defined values. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export const enc = encodeURIComponent;

/**
 * POST /gurusup/messages as a Gurusup user would (the organisation's x-api-key): the Gurusup
 * window's message box. Answers the message (the automatic reply, when it is on).
 */
export async function postGurusupMessage<T>(
  apiKey: string,
  message: { thread_fid: string; body: string; user_fid?: string; lang?: string; subject?: string },
): Promise<T> {
  const res = await fetch('/gurusup/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, accept: 'application/json' },
    body: JSON.stringify(message),
  });
  const json = (await res.json()) as { message?: string };
  if (!res.ok) throw new ApiError(res.status, json.message ?? `POST /gurusup/messages: HTTP ${res.status}`);
  return json as T;
}
