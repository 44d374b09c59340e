/**
 * `guuru-emulator mcp`: the emulator's MCP server over stdio, for coding agents. Like `verify`, it
 * talks to the emulator at --url through the control API and the Admin API, and starts one in
 * this process on that address when none answers. Standard output is the protocol: every message
 * for people goes to standard error.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from '../mcp/server.js';
import { ControlApiError } from '../testing/control-client.js';
import { reachOrStart, UsageError } from './remote.js';
import { httpUrl } from './flags.js';

export interface McpFlags {
  url: string;
  adminToken?: string;
  /** The emulator started here (none answering at --url) runs on a virtual clock (advance_clock moves it). */
  virtualClock?: boolean;
}

/** Serves MCP on stdin/stdout until the client hangs up; resolves with the exit code. */
export async function runMcp(
  flags: McpFlags,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const emulatorUrl = httpUrl('--url', flags.url);
  // Standard output is the protocol: the started-emulator line goes to standard error.
  const remote = await reachOrStart(
    {
      url: emulatorUrl.origin,
      command: 'mcp',
      adminToken: flags.adminToken,
      virtualClock: flags.virtualClock === true,
      lifetime: ' (it stops with this server)',
    },
    { log: (line: string) => log(`guuru-emulator mcp: ${line}`) },
  );
  const { base, control: client } = remote;
  try {
    await client.tenants();
  } catch (error) {
    await remote.stop();
    if (error instanceof ControlApiError && error.status === 401)
      throw new UsageError(
        `the emulator at ${base} needs its admin token: pass --admin-token or set ADMIN_TOKEN (${error.body.message ?? 'HTTP 401'})`,
      );
    throw error;
  }
  const server = createMcpServer(client);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    // The client hanging up ends stdin: that is the end of the session.
    process.stdin.once('end', resolve);
  });
  await server.connect(transport);
  log(`guuru-emulator mcp: serving MCP on stdio for the emulator at ${base}`);
  await closed;
  await server.close();
  await remote.stop();
  return 0;
}
