// One event stream for every dashboard tab of a browser: a browser opens at most six HTTP/1.1
// connections to one host, so a stream per tab would stall the seventh tab (and every fetch of
// the others). The SharedWorker holds the EventSource and passes each message to every tab.
/** The SharedWorker's global (the page's DOM types describe a window, not a worker). */
const scope = globalThis as unknown as { onconnect: ((event: MessageEvent) => void) | null };

type ToTab = { kind: 'state'; state: 'connecting' | 'live' | 'offline' } | { kind: 'events'; data: string };

const ports = new Set<MessagePort>();
let source: EventSource | undefined;
let state: 'connecting' | 'live' | 'offline' = 'connecting';

function broadcast(message: ToTab): void {
  for (const port of ports) port.postMessage(message);
}

function setState(next: typeof state): void {
  if (next === state) return;
  state = next;
  broadcast({ kind: 'state', state });
}

function connect(): void {
  source = new EventSource('/_emulator/events');
  source.addEventListener('hello', () => setState('live'));
  source.onmessage = (message: MessageEvent<string>) => {
    setState('live');
    broadcast({ kind: 'events', data: message.data });
  };
  source.onerror = () => setState('offline');
}

scope.onconnect = (event: MessageEvent) => {
  const port = event.ports[0];
  if (!port) return;
  ports.add(port);
  port.onmessage = (message: MessageEvent) => {
    if (message.data === 'close') ports.delete(port);
  };
  port.start();
  port.postMessage({ kind: 'state', state } satisfies ToTab);
  if (!source) connect();
};
