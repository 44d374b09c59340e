import { describe, expect, it } from 'vitest';
import { run, spawnUntilListening } from '../../helpers/spawn.js';

// The built CLI bound to every interface (as the Docker image is): the control API needs a token.
const MAIN = 'dist/main.js';

describe('start --host 0.0.0.0', () => {
  it('makes an admin token, prints how to pass it, and the control API requires it', async () => {
    const app = await spawnUntilListening(
      process.execPath,
      [MAIN, 'start', '--host', '0.0.0.0', '--port', '0', '--virtual-clock'],
      { ADMIN_TOKEN: '' },
    );
    try {
      const printed = /needs the admin token: Authorization: Bearer (\S+)\s+\(or X-Admin-Token\)/.exec(app.output());
      expect(printed, app.output()).not.toBeNull();
      const token = printed![1]!;
      expect(token).toHaveLength(32);
      expect(app.output()).toContain(
        'made at start because 0.0.0.0 is not a loopback address; choose your own with --admin-token or ADMIN_TOKEN',
      );
      expect((await fetch(`${app.url}/_emulator/tenants`)).status).toBe(401);
      expect((await fetch(`${app.url}/_emulator/health`)).status).toBe(200);
      expect(
        (await fetch(`${app.url}/_emulator/tenants`, { headers: { authorization: `Bearer ${token}` } })).status,
      ).toBe(200);
      // The APIs keep their own credentials.
      const gql = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer demo-token' },
        body: '{"query":"{ partner { id } }"}',
      });
      expect(await gql.json()).toEqual({ data: { partner: { id: 'guuru-qa' } } });
      // The scenario CLI passes the token on.
      const without = await run(process.execPath, [MAIN, 'scenario', 'run', 'missed', '--url', app.url, '--instant'], {
        ADMIN_TOKEN: '',
      });
      expect(without.code).toBe(2);
      expect(without.stderr).toMatch(/admin token/);
      const withToken = await run(process.execPath, [
        MAIN,
        'scenario',
        'run',
        'missed',
        '--url',
        app.url,
        '--instant',
        '--admin-token',
        token,
      ]);
      expect(withToken.code, withToken.stderr).toBe(0);
    } finally {
      expect(await app.stop()).toBe(0);
    }
  });

  it('uses the token it is given (ADMIN_TOKEN) and does not print it as made', async () => {
    const app = await spawnUntilListening(process.execPath, [MAIN, 'start', '--host', '0.0.0.0', '--port', '0'], {
      ADMIN_TOKEN: 'my-own-token-1',
    });
    try {
      expect(app.output()).toContain('Authorization: Bearer my-own-token-1');
      expect(app.output()).not.toContain('made at start');
      expect(
        (await fetch(`${app.url}/_emulator/tenants`, { headers: { 'x-admin-token': 'my-own-token-1' } })).status,
      ).toBe(200);
    } finally {
      expect(await app.stop()).toBe(0);
    }
  });
});
