import { useEffect, useState } from 'preact/hooks';

/** The page's place, from the URL hash: #/chats/guuru-qa/abc?status=open → ['chats', 'guuru-qa', 'abc'], {status: 'open'}. */
export interface Route {
  parts: string[];
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = raw.split('?');
  return {
    parts: path
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent),
    params: new URLSearchParams(search),
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** A link target: href('chats', tenant, id) → #/chats/guuru-qa/id; params with empty values are left out. */
export function href(...parts: (string | Record<string, string | undefined>)[]): string {
  const path = parts
    .filter((p): p is string => typeof p === 'string')
    .map(encodeURIComponent)
    .join('/');
  const params = new URLSearchParams();
  for (const p of parts) if (typeof p === 'object') for (const [k, v] of Object.entries(p)) if (v) params.set(k, v);
  const q = params.toString();
  return `#/${path}${q ? `?${q}` : ''}`;
}

export const navigate = (target: string): void => {
  location.hash = target.replace(/^#/, '');
};
