// The official `openai` npm package, unmodified, pointed at Fathom's OpenAI-compatible API: what it returns and the
// error a user of it reads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { apiKey, assistantsUrl, citations, rateLimitedModel, sailingCollection } from './fathom.mjs';

const client = new OpenAI({ apiKey, baseURL: `${assistantsUrl}/api/v1`, maxRetries: 0 });
let collection;

before(async () => { collection = await sailingCollection('node-openai'); });
after(async () => { await collection?.drop(); });

/** The error a call throws (the assertion fails when it does not throw). */
async function failure(call) {
  try {
    await call();
  } catch (error) {
    return error;
  }
  assert.fail('the call should have failed');
}

describe('models', () => {
  test('list names the collections and the embedders; one is read by its id', async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    const one = await client.models.retrieve(collection.name);

    assert.ok(ids.includes(collection.name), `models: ${ids.join(', ')}`);
    assert.ok(ids.includes('fathom-hashed-v1'));
    assert.equal(one.id, collection.name);
    assert.equal(one.object, 'model');
    assert.equal(one.owned_by, 'fathom');
  });

  test('an unknown model is a NotFoundError that says what exists', async () => {
    const error = await failure(() => client.models.retrieve('no-such-collection'));

    assert.ok(error instanceof OpenAI.NotFoundError, String(error));
    assert.match(error.message, /^404 The model 'no-such-collection' does not exist: models are your collections/);
    assert.equal(error.type, 'not_found_error');
    assert.equal(error.code, 'model_not_found');
    assert.equal(error.param, 'model');
  });
});

describe('chat completions', () => {
  test('an answer lists exactly the sources it cites, with token usage', async () => {
    const completion = await client.chat.completions.create({
      model: collection.name,
      messages: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: 'What keeps a sailboat upright?' }],
    });

    const choice = completion.choices[0];
    const { answer, cited, listed } = citations(choice.message.content);
    assert.equal(completion.object, 'chat.completion');
    assert.equal(choice.message.role, 'assistant');
    assert.equal(choice.finish_reason, 'stop');
    assert.ok(answer.length > 0);
    assert.ok(listed.length > 0, 'the answer should cite a source');
    assert.deepEqual(listed.map((s) => s.n), [...cited].sort((a, b) => a - b), 'listed sources = cited ones');
    assert.ok(listed.some((s) => s.name === 'keel.txt'), choice.message.content);
    assert.ok(completion.usage.prompt_tokens > 0);
    assert.ok(completion.usage.completion_tokens > 0);
    assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + completion.usage.completion_tokens);
  });

  test('content given as text parts and earlier turns are accepted', async () => {
    const completion = await client.chat.completions.create({
      model: collection.name,
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 200,
      stop: ['END'],
      messages: [
        { role: 'user', content: 'What is a reef?' },
        { role: 'assistant', content: 'Reefing makes a sail smaller.' },
        { role: 'user', content: [{ type: 'text', text: 'And what keeps' }, { type: 'text', text: 'a sailboat upright?' }] },
      ],
    });

    assert.ok(completion.choices[0].message.content.length > 0);
  });

  test('a stream has finish_reason null until its last choice, then usage with no choices', async () => {
    const stream = await client.chat.completions.create({
      model: collection.name,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'What keeps a sailboat upright?' }],
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    const usage = chunks.at(-1);
    const choices = chunks.slice(0, -1).map((c) => c.choices[0]);
    const text = choices.map((c) => c.delta.content ?? '').join('');
    assert.deepEqual(usage.choices, []);
    assert.ok(usage.usage.prompt_tokens > 0 && usage.usage.completion_tokens > 0);
    assert.equal(usage.usage.total_tokens, usage.usage.prompt_tokens + usage.usage.completion_tokens);
    assert.equal(choices[0].delta.role, 'assistant');
    for (const choice of choices.slice(0, -1)) {
      assert.ok('finish_reason' in choice, 'finish_reason is present on every chunk');
      assert.equal(choice.finish_reason, null);
    }
    assert.equal(choices.at(-1).finish_reason, 'stop');
    const { cited, listed } = citations(text);
    assert.deepEqual(listed.map((s) => s.n), [...cited].sort((a, b) => a - b));
  });

  test('a stream without include_usage carries no usage', async () => {
    const stream = await client.chat.completions.create({ model: collection.name, stream: true, messages: [{ role: 'user', content: 'Sails?' }] });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    assert.ok(chunks.every((c) => c.choices.length === 1 && !c.usage));
  });

  test('refusals are errors with Fathom\'s reason, type and parameter', async () => {
    const unknown = await failure(() => client.chat.completions.create({ model: 'no-such-collection', messages: [{ role: 'user', content: 'hi' }] }));
    const streamedUnknown = await failure(() => client.chat.completions.create({ model: 'no-such-collection', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
    const twoChoices = await failure(() => client.chat.completions.create({ model: collection.name, n: 2, messages: [{ role: 'user', content: 'hi' }] }));
    const image = await failure(() => client.chat.completions.create({
      model: collection.name,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://example.test/boat.png' } }] }],
    }));
    const noQuestion = await failure(() => client.chat.completions.create({ model: collection.name, messages: [{ role: 'system', content: 'hi' }] }));
    const hot = await failure(() => client.chat.completions.create({ model: collection.name, temperature: 3, messages: [{ role: 'user', content: 'hi' }] }));

    assert.ok(unknown instanceof OpenAI.NotFoundError);
    assert.match(unknown.message, /^404 The model 'no-such-collection' does not exist/);
    assert.ok(streamedUnknown instanceof OpenAI.NotFoundError);
    assert.ok(twoChoices instanceof OpenAI.BadRequestError);
    assert.equal(twoChoices.message, "400 'n' must be 1: Fathom answers with one choice per request (was 2).");
    assert.equal(twoChoices.type, 'invalid_request_error');
    assert.equal(twoChoices.param, 'n');
    assert.ok(image instanceof OpenAI.BadRequestError);
    assert.match(image.message, /Content parts of type 'image_url' are not supported: Fathom answers from text/);
    assert.equal(image.param, 'messages[0].content[1].type');
    assert.match(noQuestion.message, /^400 At least one user message with text is required/);
    assert.match(hot.message, /^400 'temperature' must be between 0 and 2 \(was 3\)\./);
  });
});

describe('embeddings', () => {
  test('a collection embeds with its own embedder, as base64 (the SDK default) or floats', async () => {
    const base64 = await client.embeddings.create({ model: collection.name, input: ['keel', 'sail'] });
    const floats = await client.embeddings.create({ model: collection.name, input: 'keel', encoding_format: 'float' });

    assert.equal(base64.object, 'list');
    assert.equal(base64.data.length, 2);
    assert.deepEqual(base64.data.map((d) => d.index), [0, 1]);
    assert.equal(base64.data[0].embedding.length, floats.data[0].embedding.length);
    for (let i = 0; i < floats.data[0].embedding.length; i++) {
      assert.ok(Math.abs(base64.data[0].embedding[i] - floats.data[0].embedding[i]) < 1e-6);
    }
    assert.ok(base64.usage.prompt_tokens >= 2);
    assert.equal(base64.usage.total_tokens, base64.usage.prompt_tokens);
  });

  test('the hashed embedder makes the size asked for, from text or from token ids', async () => {
    const text = await client.embeddings.create({ model: 'fathom-hashed-v1', input: 'hello world', dimensions: 64, encoding_format: 'float' });
    // [15339, 1917] is "hello world" in cl100k_base.
    const tokens = await client.embeddings.create({ model: 'hashed', input: [15339, 1917], dimensions: 64, encoding_format: 'float' });
    const batch = await client.embeddings.create({ model: 'hashed', input: [[15339, 1917], [15339]], dimensions: 64 });

    assert.equal(text.data[0].embedding.length, 64);
    assert.deepEqual(tokens.data[0].embedding, text.data[0].embedding);
    assert.equal(batch.data.length, 2);
    assert.equal(tokens.usage.prompt_tokens, 2);
  });

  test('refusals say what to change', async () => {
    const size = await failure(() => client.embeddings.create({ model: 'hashed', input: 'x', dimensions: 8 }));
    const empty = await failure(() => client.embeddings.create({ model: 'hashed', input: [] }));
    const ids = await failure(() => client.embeddings.create({ model: 'hashed', input: [[1, 2, 999999]] }));
    const unknown = await failure(() => client.embeddings.create({ model: 'no-such-model', input: 'x' }));

    assert.ok(size instanceof OpenAI.BadRequestError);
    assert.equal(size.message, '400 The hashed embedder makes 16 to 4096 dimensions, not 8.');
    assert.equal(size.param, 'dimensions');
    assert.equal(empty.message, "400 'input' must not be an empty array.");
    assert.match(ids.message, /^400 'input\[0\]' holds something other than cl100k_base token ids/);
    assert.ok(unknown instanceof OpenAI.NotFoundError);
  });
});

describe('authentication and limits', () => {
  test('a wrong key is an AuthenticationError that says why', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-not-a-fathom-key', baseURL: `${assistantsUrl}/api/v1`, maxRetries: 0 });
    const unknownKey = new OpenAI({ apiKey: 'fth_00000000_nosuchkey', baseURL: `${assistantsUrl}/api/v1`, maxRetries: 0 });

    const error = await failure(() => wrong.models.list());
    const revoked = await failure(() => unknownKey.chat.completions.create({ model: collection.name, messages: [{ role: 'user', content: 'hi' }] }));

    assert.ok(error instanceof OpenAI.AuthenticationError);
    assert.match(error.message, /^401 The credential is neither a Fathom API key \(fth_\.\.\.\) nor an access token\./);
    assert.equal(error.type, 'authentication_error');
    assert.match(revoked.message, /^401 The API key is not valid\./);
  });

  test('a rate-limited call is a RateLimitError with Retry-After', { skip: !rateLimitedModel && 'FATHOM_RATE_LIMITED_MODEL not set' }, async () => {
    await failure(() => client.models.retrieve(rateLimitedModel));
    const limited = await failure(() => client.models.retrieve(rateLimitedModel));

    assert.ok(limited instanceof OpenAI.RateLimitError, String(limited));
    assert.match(limited.message, /^429 Slow down: this caller may make 1 calls a minute/);
    assert.equal(limited.type, 'rate_limit_error');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  });

  test('an unknown path under /api/v1 is named in the error', async () => {
    const error = await failure(() => client.get('/files'));

    assert.ok(error instanceof OpenAI.NotFoundError);
    assert.equal(error.message, '404 GET /api/v1/files is not an endpoint of this API (see docs/api.md).');
  });
});
