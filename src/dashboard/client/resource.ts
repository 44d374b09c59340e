import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { LiveEvent } from '../../control/live-events';
import { ApiError, getJson } from './api';
import { useLive } from './live';

export interface Resource<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * JSON from the control API, read again (at most every `throttleMs`) when a live change concerns
 * it. `path` undefined: nothing to read yet.
 */
export function useResource<T>(
  path: string | undefined,
  concerns?: (event: LiveEvent) => boolean,
  throttleMs = 400,
): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(path !== undefined);
  const pathRef = useRef(path);
  const seq = useRef(0);
  const timer = useRef<number | undefined>(undefined);
  const last = useRef(0);

  const load = useCallback(() => {
    const p = pathRef.current;
    if (p === undefined) return;
    const mine = ++seq.current;
    last.current = Date.now();
    getJson<T>(p).then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(e instanceof ApiError ? e.message : String(e));
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    pathRef.current = path;
    if (path === undefined) return;
    setLoading(true);
    setData(undefined);
    load();
    return () => {
      seq.current += 1;
      clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [path, load]);

  const reloadSoon = useCallback(() => {
    if (timer.current !== undefined) return;
    const wait = Math.max(0, last.current + throttleMs - Date.now());
    timer.current = window.setTimeout(() => {
      timer.current = undefined;
      load();
    }, wait);
  }, [load, throttleMs]);

  useLive((events) => {
    if (path === undefined) return;
    if (events.some((e) => e.type === 'resync' || e.type === 'tenants' || (concerns?.(e) ?? false))) reloadSoon();
  });

  return { data, error, loading, reload: load };
}

/** Re-reads `reload` every `everyMs` while `active`: what moves on the emulator clock (a scenario run) or has no live event of its own (a verification). */
export function usePoll(active: boolean, reload: () => void, everyMs = 1_000): void {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(reload, everyMs);
    return () => clearInterval(timer);
  }, [active, reload, everyMs]);
}
