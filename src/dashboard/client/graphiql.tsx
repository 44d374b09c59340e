/** @jsxImportSource react */
// The GraphiQL IDE served at a browser's GET /graphql: bundled from npm (CodeMirror-based
// GraphiQL 4: no web workers, nothing loaded from elsewhere), with the demo token in the headers
// and the documented example operations preloaded as tabs.
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { GraphiqlConfig } from '../pages';
import './graphiql.css';

const config = JSON.parse(document.getElementById('emulator-config')?.textContent ?? '{}') as GraphiqlConfig;
const headers = JSON.stringify(config.token ? { Authorization: `Bearer ${config.token}` } : {}, null, 2);
const auth = config.token ? `Bearer ${config.token}` : undefined;
const send = createGraphiQLFetcher({ url: config.graphqlUrl });
// The schema (docs, completion) is read with the demo token when the tab's headers have none; the
// operations you run send exactly the headers in the editor (remove the token to see the 401).
const fetcher: Fetcher = (params, options) => {
  const given = options?.headers ?? {};
  const hasAuth = Object.keys(given).some((k) => k.toLowerCase() === 'authorization');
  if (params.operationName === 'IntrospectionQuery' && !hasAuth && auth)
    return send(params, { ...options, headers: { ...given, Authorization: auth } });
  return send(params, options);
};
const defaultTabs = config.examples.map((e) => ({
  query: e.query,
  variables: e.variables ? JSON.stringify(e.variables, null, 2) : null,
  headers,
}));

function Page() {
  return (
    <div className="emulator-graphiql">
      <GraphiQL
        fetcher={fetcher}
        defaultTabs={defaultTabs}
        defaultHeaders={headers}
        shouldPersistHeaders
        isHeadersEditorEnabled
        defaultEditorToolsVisibility="variables"
      >
        <GraphiQL.Logo>
          <a
            href="/"
            className="emulator-home"
            title={`Back to the emulator's dashboard (the token here is partner ${config.tenant}'s)`}
          >
            <span aria-hidden="true">← </span>guuru-emulator dashboard
          </a>
        </GraphiQL.Logo>
      </GraphiQL>
    </div>
  );
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  createRoot(root).render(
    <StrictMode>
      <Page />
    </StrictMode>,
  );
}
