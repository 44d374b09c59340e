// "Copy as curl": a request of the journal or a webhook delivery as a command a person can run in a
// shell to send it again. Pure (no DOM), so the unit tests check the commands.
import type { RequestRecord } from '../../journal/request-journal.js';

/** One shell word in single quotes (a quote inside becomes '\''), safe for any text. */
export const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

const lines = (parts: string[]): string => parts.join(' \\\n  ');

/** What the journal keeps of a GraphQL document it cut: the command would send a broken document. */
const CUT = /… \(\d+ characters\)$/;

/**
 * The API request again, as sent: GraphQL as a POST with the document, variables and operation name,
 * the tenant's token when the request had one (`token` undefined: sent without credentials, as it
 * was); a Gurusup GET with the organisation's key. Undefined when the journal does not keep enough
 * (a Gurusup request with a body, a GraphQL document cut for length).
 */
export function requestAsCurl(
  record: RequestRecord,
  origin: string,
  credentials: { token?: string; gurusupApiKey?: string },
): string | undefined {
  if (record.api === 'graphql') {
    if (record.query === undefined || CUT.test(record.query)) return undefined;
    const body = JSON.stringify({
      query: record.query,
      ...(record.variables ? { variables: record.variables } : {}),
      ...(record.operationName ? { operationName: record.operationName } : {}),
    });
    return lines([
      `curl -s ${shellQuote(`${origin}${record.path}`)}`,
      ...(credentials.token ? [`-H ${shellQuote(`Authorization: Bearer ${credentials.token}`)}`] : []),
      `-H 'Content-Type: application/json'`,
      `--data-raw ${shellQuote(body)}`,
    ]);
  }
  if (record.method !== 'GET') return undefined;
  return lines([
    `curl -s ${shellQuote(`${origin}${record.path}`)}`,
    ...(credentials.gurusupApiKey ? [`-H ${shellQuote(`x-api-key: ${credentials.gurusupApiKey}`)}`] : []),
  ]);
}

/** A webhook delivery again, byte for byte: its URL, every header it was sent with (signature and Idempotency-Key too) and its raw body. */
export function deliveryAsCurl(delivery: { url: string; headers: Record<string, string>; rawBody: string }): string {
  return lines([
    `curl -s -X POST ${shellQuote(delivery.url)}`,
    ...Object.entries(delivery.headers).map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`),
    `--data-raw ${shellQuote(delivery.rawBody)}`,
  ]);
}
