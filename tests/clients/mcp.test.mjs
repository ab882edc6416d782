// The official MCP TypeScript SDK, unmodified, against Fathom's MCP server (/api/mcp, streamable HTTP, stateless):
// what a desktop assistant's MCP client does, and what it reads when a call is refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { apiKey, assistantsUrl, issuer, sailingCollection } from './fathom.mjs';

const endpoint = new URL(`${assistantsUrl}/api/mcp`);
let collection;
let client;

async function connect(key) {
  const mcp = new Client({ name: 'fathom-client-tests', version: '1.0.0' });
  const headers = key ? { Authorization: `Bearer ${key}` } : {};
  await mcp.connect(new StreamableHTTPClientTransport(endpoint, { requestInit: { headers } }));
  return mcp;
}

before(async () => {
  collection = await sailingCollection('node-mcp');
  client = await connect(apiKey);
});
after(async () => {
  await client?.close();
  await collection?.drop();
});

/** The text of a tool result's first content block. */
const text = (result) => result.content.find((c) => c.type === 'text')?.text ?? '';

describe('tools', () => {
  test('the server introduces itself and lists three read-only tools with input and output schemas', async () => {
    const { tools } = await client.listTools();

    assert.equal(client.getServerVersion().name, 'fathom-knowledge');
    assert.deepEqual(tools.map((t) => t.name).sort(), ['ask', 'list_collections', 'search']);
    for (const tool of tools) {
      assert.equal(tool.outputSchema?.type, 'object', `${tool.name} declares an output schema`);
      assert.equal(tool.annotations?.readOnlyHint, true);
    }
  });

  test('list_collections answers structured content matching its schema', async () => {
    // The SDK validates structuredContent against the listed outputSchema and throws when they disagree.
    const result = await client.callTool({ name: 'list_collections', arguments: {} });

    assert.ok(!result.isError, text(result));
    const mine = result.structuredContent.collections.find((c) => c.name === collection.name);
    assert.equal(mine?.id, collection.id);
    assert.equal(mine.documentCount, 2);
    assert.deepEqual(JSON.parse(text(result)), result.structuredContent, 'the text block holds the same JSON for older clients');
  });

  test('search finds the passage, by collection name or id', async () => {
    const byName = await client.callTool({ name: 'search', arguments: { collection: collection.name, query: 'keel hull', mode: 'fulltext', topK: 3 } });
    const byId = await client.callTool({ name: 'search', arguments: { collection: collection.id, query: 'keel hull' } });

    assert.ok(!byName.isError, text(byName));
    assert.equal(byName.structuredContent.mode, 'fulltext');
    assert.equal(byName.structuredContent.results[0].documentName, 'keel.txt');
    assert.equal(byName.structuredContent.results[0].page, null);
    assert.equal(byId.structuredContent.mode, 'hybrid');
    assert.ok(byId.structuredContent.results.some((r) => r.documentName === 'keel.txt'));
  });

  test('ask answers with citations', async () => {
    const result = await client.callTool({ name: 'ask', arguments: { collection: collection.name, question: 'What keeps a sailboat upright?' } });

    assert.ok(!result.isError, text(result));
    assert.ok(result.structuredContent.answer.length > 0);
    assert.ok(['generative', 'extractive'].includes(result.structuredContent.kind));
    assert.ok(result.structuredContent.citations.some((c) => c.documentName === 'keel.txt'));
  });

  test('a refused call is a tool error that says what was wrong', async () => {
    const unknown = await client.callTool({ name: 'search', arguments: { collection: 'no-such-collection', query: 'keel' } });
    const mode = await client.callTool({ name: 'search', arguments: { collection: collection.name, query: 'keel', mode: 'semantic' } });
    const topK = await client.callTool({ name: 'search', arguments: { collection: collection.name, query: 'keel', topK: 99 } });
    const askTopK = await client.callTool({ name: 'ask', arguments: { collection: collection.name, question: 'keel?', topK: 0 } });

    assert.equal(unknown.isError, true);
    assert.match(text(unknown), /No collection 'no-such-collection' among yours: call list_collections/);
    assert.equal(mode.isError, true);
    assert.match(text(mode), /Unknown mode 'semantic': use one of vector, fulltext, hybrid\./);
    assert.equal(topK.isError, true);
    assert.match(text(topK), /'topK' must be between 1 and 50 \(was 99\)\./);
    assert.match(text(askTopK), /'topK' must be between 1 and 20 \(was 0\)\./);
  });
});

describe('authentication', () => {
  test('without a key the transport gets a 401 naming the resource metadata, which names the issuer', async () => {
    const error = await connect(undefined).then(() => assert.fail('connected without a key'), (e) => e);
    const refused = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(refused);
    const metadata = await discoverOAuthProtectedResourceMetadata(endpoint);

    assert.ok(error instanceof StreamableHTTPError, String(error));
    assert.equal(error.code, 401);
    assert.equal(refused.status, 401);
    assert.equal(resourceMetadataUrl?.href, `${assistantsUrl}/.well-known/oauth-protected-resource/api/mcp`);
    assert.equal(metadata.resource, endpoint.href);
    assert.deepEqual(metadata.authorization_servers, [issuer]);
    assert.deepEqual(metadata.bearer_methods_supported, ['header']);
  });

  test('GET on the endpoint is a 405 problem, as the stateless transport has no stream to open', async () => {
    const response = await fetch(endpoint, { headers: { Authorization: `Bearer ${apiKey}`, Accept: 'text/event-stream' } });
    const problem = await response.json();

    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST');
    assert.match(response.headers.get('content-type'), /^application\/problem\+json/);
    assert.equal(problem.status, 405);
    assert.match(problem.detail, /send JSON-RPC messages with POST/);
  });
});
