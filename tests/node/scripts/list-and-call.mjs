#!/usr/bin/env node
// The official TypeScript MCP SDK client (@modelcontextprotocol/sdk) against the gateway: Streamable HTTP with a
// static bearer key in requestInit.headers, as IDE configs pass it. Lists the tools, optionally calls one, and prints
// one JSON object on stdout: { protocolVersion, serverInfo, instructions, tools: [...], call: <CallToolResult> | null }.
// Usage: GATEWAY_TEST_NODE_MODULES=… MCP_URL=http://127.0.0.1:PORT/mcp MCP_KEY=sk-eu_… node list-and-call.mjs [tool] [argsJson]
import { createRequire } from 'node:module';
import path from 'node:path';

const modules = process.env.GATEWAY_TEST_NODE_MODULES;
if (!modules) { console.error('GATEWAY_TEST_NODE_MODULES is not set (run the tests with ./test.sh)'); process.exit(2); }
const require = createRequire(path.join(modules, 'noop.js'));
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');

const url = process.env.MCP_URL;
const key = process.env.MCP_KEY;
const [tool, argsJson] = process.argv.slice(2);

const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${key}` } },
});
const client = new Client({ name: 'e2e-typescript', version: '1.0.0' });
try {
  await client.connect(transport);
  const listed = await client.listTools();
  const call = tool ? await client.callTool({ name: tool, arguments: argsJson ? JSON.parse(argsJson) : {} }) : null;
  process.stdout.write(JSON.stringify({
    protocolVersion: transport.protocolVersion ?? null,
    sessionId: transport.sessionId ?? null,
    serverInfo: client.getServerVersion() ?? null,
    instructions: client.getInstructions() ?? null,
    tools: listed.tools,
    nextCursor: listed.nextCursor ?? null,
    call,
  }) + '\n');
  await client.close();
} catch (err) {
  console.error(err?.stack ?? String(err));
  process.exit(1);
}
