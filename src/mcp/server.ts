/**
 * The MCP server of the emulator: the tool table (tools.ts) and the documents (resources.ts) over
 * a ControlClient. Both transports build it the same way: `guuru-emulator mcp` over stdio, and
 * POST /_emulator/mcp (Streamable HTTP) inside the emulator.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from '../kernel/version.js';
import { ControlApiError, type ControlClient } from '../testing/control-client.js';
import { RESOURCES } from './resources.js';
import { GraphQLToolError, TOOLS, ToolInputError } from './tools.js';

const INSTRUCTIONS = [
  'guuru-emulator: a local, stateful fake of the GUURU Admin API (GraphQL), its signed webhooks and the Gurusup API.',
  'A whole chat: start_chat (as the customer, requestedExperts ["api"]) → chat_action accept / message / close (as the integrator) → chat_action rate (as the customer); get_chat shows each step with the webhooks it caused.',
  'Webhooks go to the URL a tenant subscribed, or to `target` of trigger, run_scenario and verify. Read the webhooks resource for the contract.',
  'Errors come back as tool errors whose text is JSON: {status, code, message, ...} exactly as the control API or Admin API answered.',
].join('\n');

const text = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value ?? null, null, 2) }],
});

/** An error as an MCP tool error: the API's status, code and message (and its other fields), as JSON. */
export function toolError(error: unknown): CallToolResult {
  let body: Record<string, unknown>;
  if (error instanceof ControlApiError)
    body = { status: error.status, ...error.body, code: error.body.code ?? `HTTP_${error.status}` };
  else if (error instanceof GraphQLToolError)
    body = { status: error.answer.status, code: error.code, message: error.message, errors: error.answer.errors };
  else if (error instanceof ToolInputError)
    body = { status: 400, code: error.code, message: error.message, argumentName: error.argumentName };
  else body = { code: 'UNAVAILABLE', message: (error as Error).message };
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }] };
}

/** A new MCP server whose tools act through `client`. */
export function createMcpServer(client: ControlClient): McpServer {
  const server = new McpServer({ name: 'guuru-emulator', version: VERSION }, { instructions: INSTRUCTIONS });
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      {
        description: tool.description,
        inputSchema: tool.input,
        annotations: { readOnlyHint: tool.readOnly ?? false, openWorldHint: false },
      },
      async (args: Record<string, unknown>): Promise<CallToolResult> => {
        try {
          return text(await tool.run(client, args as never));
        } catch (error) {
          return toolError(error);
        }
      },
    );
  }
  for (const resource of RESOURCES) {
    server.registerResource(
      resource.name,
      resource.uri,
      { title: resource.title, description: resource.description, mimeType: 'text/markdown' },
      async (uri) => ({
        contents: [{ uri: uri.href, mimeType: 'text/markdown', text: await resource.read() }],
      }),
    );
  }
  return server;
}
