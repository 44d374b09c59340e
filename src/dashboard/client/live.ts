import { useEffect, useRef, useState } from 'preact/hooks';
import type { LiveEvent } from '../../control/live-events';

type Listener = (events: LiveEvent[]) => void;
export type LiveState = 'connecting' | 'live' | 'offline';

const listeners = new Set<Listener>();
const stateListeners = new Set<(s: LiveState) => void>();
let connected = false;
let state: LiveState = 'connecting';

function setState(next: LiveState): void {
  if (next === state) return;
  const reconnected = state === 'offline' && next === 'live';
  state = next;
  stateListeners.forEach((l) => l(next));
  // Changes made while the stream was down were missed: every view reads again.
  if (reconnected) dispatch([{ type: 'resync', reason: 'reconnected' }]);
}

function dispatch(events: LiveEvent[]): void {
  for (const listener of [...listeners]) listener(events);
}

const workerUrl = (): string | undefined =>
  (JSON.parse(document.getElementById('emulator-config')?.textContent ?? '{}') as { liveWorker?: string }).liveWorker;

/**
 * One stream for the page, shared by every view: through the SharedWorker (one connection for all
 * the tabs of a browser), else an EventSource of its own.
 */
function connect(): void {
  if (connected) return;
  connected = true;
  const url = workerUrl();
  if (url && typeof SharedWorker !== 'undefined') {
    try {
      const worker = new SharedWorker(url, { name: 'guuru-emulator-live' });
      worker.port.onmessage = (
        message: MessageEvent<{ kind: 'state'; state: LiveState } | { kind: 'events'; data: string }>,
      ) => {
        const m = message.data;
        if (m.kind === 'state') setState(m.state);
        else dispatch(JSON.parse(m.data) as LiveEvent[]);
      };
      worker.port.start();
      addEventListener('pagehide', () => worker.port.postMessage('close'));
      return;
    } catch {
      // No SharedWorker here: a stream of this tab's own.
    }
  }
  const source = new EventSource('/_emulator/events');
  source.addEventListener('hello', () => setState('live'));
  source.onmessage = (message: MessageEvent<string>) => {
    setState('live');
    dispatch(JSON.parse(message.data) as LiveEvent[]);
  };
  source.onerror = () => setState('offline');
}

/** Calls `listener` with each batch of changes while the component is shown. */
export function useLive(listener: Listener): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => {
    connect();
    const l: Listener = (events) => ref.current(events);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
}

export function useLiveState(): LiveState {
  const [s, set] = useState(state);
  useEffect(() => {
    connect();
    stateListeners.add(set);
    set(state);
    return () => void stateListeners.delete(set);
  }, []);
  return s;
}
