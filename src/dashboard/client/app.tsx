import { useEffect, useState } from 'preact/hooks';
import { onTokenRequired, setAdminToken } from './api';
import { ChatPage, SessionPage } from './views/chat';
import { ShopperView } from './views/shopper';
import { ChatsView } from './views/chats';
import { DeliveriesView, DeliveryPage } from './views/deliveries';
import { GurusupView } from './views/gurusup';
import { OverviewView } from './views/overview';
import { RequestsView } from './views/requests';
import { RunPage, ScenariosView } from './views/scenarios';
import { VerificationPage, VerificationsView } from './views/verifications';
import { useLiveState } from './live';
import { Search } from './search';
import { href, useRoute } from './router';

const NAV = [
  ['', 'Overview'],
  ['chats', 'Chats'],
  ['deliveries', 'Deliveries'],
  ['requests', 'Requests'],
  ['scenarios', 'Scenarios'],
  ['gurusup', 'Gurusup'],
  ['verifications', 'Verify'],
] as const;

function LiveIndicator() {
  const state = useLiveState();
  const text = state === 'live' ? 'Live' : state === 'offline' ? 'Reconnecting…' : 'Connecting…';
  return (
    <span
      class={`live live-${state}`}
      role="status"
      aria-live="polite"
      title="Changes appear as they happen (Server-Sent Events from /_emulator/events)"
    >
      <span class="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

/** Shown when the emulator requires its admin token (bound to a network interface, or --admin-token). */
function TokenPrompt() {
  const [token, setToken] = useState('');
  return (
    <div class="token-prompt" role="dialog" aria-modal="true" aria-labelledby="token-title">
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          setAdminToken(token.trim());
          location.reload();
        }}
      >
        <h2 id="token-title">This emulator needs its admin token</h2>
        <p>
          It printed the token when it started (<code>--admin-token</code>, <code>ADMIN_TOKEN</code>, or made at start
          on a non-loopback <code>--host</code>). The page keeps it in a cookie for this site.
        </p>
        <label class="field">
          <span>Admin token</span>
          <input
            type="password"
            required
            autoFocus
            autoComplete="off"
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" class="primary">
          Continue
        </button>
      </form>
    </div>
  );
}

export function App() {
  const route = useRoute();
  const [needsToken, setNeedsToken] = useState(false);
  useEffect(() => onTokenRequired(() => setNeedsToken(true)), []);
  const [section = '', a, b, c, d] = route.parts;
  const tenant = route.params.get('tenant');
  let view;
  if (section === 'chats' && a && b) view = <ChatPage tenant={a} chatId={b} />;
  else if (section === 'shop') view = <ShopperView tenant={a} chatId={b} params={route.params} />;
  else if (section === 'sessions' && a) view = <SessionPage id={a} />;
  else if (section === 'chats') view = <ChatsView params={route.params} />;
  else if (section === 'deliveries' && a) view = <DeliveryPage id={a} />;
  else if (section === 'deliveries') view = <DeliveriesView params={route.params} />;
  else if (section === 'requests') view = <RequestsView params={route.params} />;
  else if (section === 'scenarios' && a && b === 'runs' && c) view = <RunPage scenario={a} runId={c} />;
  else if (section === 'scenarios') view = <ScenariosView selected={a} />;
  else if (section === 'verifications' && a) view = <VerificationPage id={a} />;
  else if (section === 'verifications') view = <VerificationsView />;
  else if (section === 'gurusup') view = <GurusupView tenant={tenant} thread={a} />;
  else view = <OverviewView />;
  void d;
  return (
    <div class="layout">
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="#/">
          <span class="logo" aria-hidden="true">
            G
          </span>
          <span>
            guuru-emulator <small>dashboard</small>
          </span>
        </a>
        <nav aria-label="Views">
          {NAV.map(([path, label]) => (
            <a
              key={path}
              href={href(path)}
              aria-current={section === path ? 'page' : undefined}
              class={section === path ? 'active' : ''}
            >
              {label}
            </a>
          ))}
          <a href="/graphql" target="_blank" rel="noopener">
            GraphiQL ↗
          </a>
        </nav>
        <Search />
        <LiveIndicator />
      </header>
      {needsToken && <TokenPrompt />}
      <main id="main" tabIndex={-1}>
        {view}
      </main>
    </div>
  );
}
