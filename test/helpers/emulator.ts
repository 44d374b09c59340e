import { silentLogger, type Emulator, type EmulatorOptions } from '../../src/index.js';
import { startEmulator as startPublic } from '../../src/testing/index.js';

/** A fixed seed time so assertions do not depend on the day the tests run. */
export const SEED_TIME = Date.UTC(2026, 10, 22);

export interface GraphQLResult<T = Record<string, any>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown>; path?: unknown[] }[] };
}

export interface TestEmulator {
  emulator: Emulator;
  url: string;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResult<T>>;
  stop(): Promise<void>;
}

/** The test suite's options of every emulator it starts: the contract check of the control API records its answers. */
export const testOptions = (): EmulatorOptions => (process.env.GUURU_EMULATOR_RECORD_CONTROL ? { recordControlTo: process.env.GUURU_EMULATOR_RECORD_CONTROL } : {});

/** A whole emulator in process on port 0 (the public `startEmulator`), with the default seed pinned to SEED_TIME. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const started = await startPublic({ logger: silentLogger, seedTime: SEED_TIME, ...testOptions(), ...options });
  const emulator = started.emulator as Emulator;
  const { url } = started;
  return {
    emulator,
    url,
    async gql<T>(query: string, variables?: Record<string, unknown>, token: string | null = 'demo-token'): Promise<GraphQLResult<T>> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      return { status: res.status, headers: res.headers, body: (await res.json()) as never };
    },
    stop: () => emulator.stop(),
  };
}

/** The codes of a response's errors. */
export const errorCodes = (result: GraphQLResult): unknown[] => (result.body.errors ?? []).map((e) => e.extensions?.code);
