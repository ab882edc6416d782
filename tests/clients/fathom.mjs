// What the client suites share: where Fathom is, the key to use, and a collection with two documents made
// through Fathom's own REST API. Run against any Fathom: FATHOM_URL=http://localhost:7071 FATHOM_API_KEY=fth_... npm test
// (FATHOM_ASSISTANTS_URL: where /api/v1 and /api/mcp are served when that is not FATHOM_URL, as when the apps run
// without the gateway in front.)
import { randomUUID } from 'node:crypto';

export const baseUrl = (process.env.FATHOM_URL ?? 'http://localhost:7071').replace(/\/$/, '');
export const assistantsUrl = (process.env.FATHOM_ASSISTANTS_URL ?? baseUrl).replace(/\/$/, '');
export const apiKey = process.env.FATHOM_API_KEY ?? '';
// The issuer the resource metadata names: Auth__Issuer when it is a URL, else Fathom's own address.
export const issuer = process.env.FATHOM_ISSUER ?? baseUrl;
/** A model id whose route the harness limits to one call a minute; the 429 tests skip without it. */
export const rateLimitedModel = process.env.FATHOM_RATE_LIMITED_MODEL;

if (!apiKey) {
  throw new Error('Set FATHOM_API_KEY to an API key with the read and write scopes (and FATHOM_URL to Fathom\'s address).');
}

async function rest(method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${apiKey}`, ...(body && !(body instanceof FormData) ? { 'Content-Type': 'application/json' } : {}) },
    body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${path}: ${response.status} ${text}`);
  }
  return text ? JSON.parse(text) : undefined;
}

/** A new collection holding keel.txt and sails.txt, indexed; its name is unique to this run. */
export async function sailingCollection(prefix) {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const collection = await rest('POST', '/api/collections', { name });
  const files = {
    'keel.txt': 'A keel is the backbone beneath a hull; it keeps a sailboat upright against the wind.',
    'sails.txt': 'Sails catch the wind and drive the boat forward; a reef makes a sail smaller in a storm.',
  };
  // One after the other: the first document of a collection creates its chunk table, and two racing to do it
  // make one wait for a redelivery (the ingestion stream's visibility timeout, a minute by default).
  for (const [file, text] of Object.entries(files)) {
    const form = new FormData();
    form.append('files', new Blob([text]), file);
    const { documents: [document] } = await rest('POST', `/api/collections/${collection.id}/documents`, form);
    const until = Date.now() + 90_000;
    for (;;) {
      const { status, error } = await rest('GET', `/api/collections/${collection.id}/documents/${document.id}`);
      if (status === 'COMPLETE') break;
      if (status === 'FAILED') throw new Error(`${file} failed to index: ${error}`);
      if (Date.now() > until) throw new Error(`${file} still ${status} after 90 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { id: collection.id, name, drop: () => rest('DELETE', `/api/collections/${collection.id}`) };
}

/** The numbers an answer cites as [n] (also [1, 2]), and the sources it lists after "Sources:". */
export function citations(content) {
  const [answer, list = ''] = content.split('\n\nSources:\n');
  const cited = new Set([...answer.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)].flatMap((m) => m[1].split(',').map((n) => Number(n.trim()))));
  const listed = [...list.matchAll(/^\[(\d+)\] (.+)$/gm)].map((m) => ({ n: Number(m[1]), name: m[2] }));
  return { answer, cited, listed };
}
