import { useEffect, useRef, useState } from 'preact/hooks';
import type { LiveEvent } from '../../control/live-events';

type Listener = (events: LiveEvent[]) => void;
export type LiveState = 'connecting' | 'live' | 'offline';

const listeners = new Set<Listener>();
const stateListeners = new Set<(s: LiveState) => void>();
let source: EventSource | undefined;
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

/** One EventSource per page, shared by every view. */
function connect(): void {
  if (source) return;
  source = new EventSource('/_emulator/events');
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
