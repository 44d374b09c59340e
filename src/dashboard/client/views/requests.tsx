import { Card, Empty, ErrorBox, Loading } from '../components';
import { useResource } from '../resource';

/** The request journal: what the integrator's client sent, and what the emulator answered. */
export function RequestsView({ params }: { params: URLSearchParams }) {
  void params;
  const journal = useResource<{ requests: unknown[] }>('/_emulator/requests');
  return (
    <div class="page">
      <div class="page-head">
        <h1>Requests</h1>
      </div>
      {journal.error && <ErrorBox message={journal.error} />}
      {!journal.data && !journal.error && <Loading />}
      {journal.data && (
        <Card>
          {journal.data.requests.length === 0 ? <Empty title="No API request yet." /> : <pre class="json">{JSON.stringify(journal.data.requests.slice(-50), null, 2)}</pre>}
        </Card>
      )}
    </div>
  );
}
