/**
 * POST /_emulator/mcp: the MCP server over Streamable HTTP, stateless (a new server and transport
 * per request, no session): every tool call is one request, so nothing is kept between calls and
 * any number of agents may call at once. Mounted behind the control API's guard (Origin, Host,
 * admin token), so it is exactly as open as the control API.
 */
import type { RequestHandler } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { sendError } from '../http/errors.js';
import { ControlClient } from '../testing/control-client.js';
import { createMcpServer } from './server.js';

export interface McpHttpOptions {
  /** The emulator's own base URL once it listens: the tools call it like any client. */
  url: () => string | undefined;
  /** The admin token the tools' calls carry, when the control API needs one. */
  adminToken: string | undefined;
}

export function createMcpHandler(options: McpHttpOptions): RequestHandler {
  return async (req, res) => {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendError(
        res,
        405,
        `${req.method} /_emulator/mcp: this MCP endpoint is stateless Streamable HTTP; POST each JSON-RPC message (there is no stream to GET and no session to DELETE).`,
        {
          code: 'METHOD_NOT_ALLOWED',
        },
      );
      return;
    }
    const url = options.url();
    if (url === undefined) {
      sendError(res, 503, 'The MCP endpoint works once the emulator listens (its tools call the emulator over HTTP).', {
        code: 'UNAVAILABLE',
      });
      return;
    }
    const server = createMcpServer(
      new ControlClient(url, options.adminToken ? { adminToken: options.adminToken } : {}),
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.once('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    // express.json() of the control router has read the body already.
    await transport.handleRequest(req, res, req.body);
  };
}
