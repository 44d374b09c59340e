import { silentLogger, type Emulator, type EmulatorOptions } from '../../src/index.js';
import { startEmulator as startPublic, type TestEmulator as PublicTestEmulator } from '../../src/testing/index.js';

/** A fixed seed time so assertions do not depend on the day the tests run. */
export const SEED_TIME = Date.UTC(2026, 10, 22);

export interface GraphQLResult<T = Record<string, any>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown>; path?: unknown[] }[] };
}

/**
 * The public toolkit's TestEmulator (guuru-emulator/testing), always in process, with the raw
 * answer of a GraphQL request (status, headers, errors) that the suite's assertions read.
 */
export interface TestEmulator extends PublicTestEmulator {
  emulator: Emulator;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GraphQLResult<T>>;
}

/** The test suite's options of every emulator it starts: the contract check of the control API records its answers. */
export const testOptions = (): EmulatorOptions =>
  process.env.GUURU_EMULATOR_RECORD_CONTROL ? { recordControlTo: process.env.GUURU_EMULATOR_RECORD_CONTROL } : {};

/** The public `startEmulator` with the suite's defaults: in process on port 0, silent, the default seed pinned to SEED_TIME. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const started = await startPublic({ logger: silentLogger, seedTime: SEED_TIME, ...testOptions(), ...options });
  const emulator = started.emulator as Emulator;
  const { url } = started;
  return {
    ...started,
    emulator,
    async gql<T>(
      query: string,
      variables?: Record<string, unknown>,
      token: string | null = 'demo-token',
    ): Promise<GraphQLResult<T>> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as never };
    },
  };
}

/** The codes of a response's errors. */
export const errorCodes = (result: GraphQLResult): unknown[] =>
  (result.body.errors ?? []).map((e) => e.extensions?.code);
