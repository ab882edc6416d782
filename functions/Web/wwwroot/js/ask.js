// Ask page: a question → an answer with citations, streamed over SSE.
//
// POST /api/collections/{id}/ask { question, stream: true }
//   event: citations  data: [ { n, chunkId, documentId, documentName, page, snippet } ]
//   event: token      data: "next piece of text"        (a JSON string)
//   event: done       data: (may carry { kind, answer })
// Without streaming (a proxy that buffers, an old server) the answer comes back as
// JSON { answer, kind, citations }, and we render that instead.

import { h, field, replaceChildren, safeSnippet } from './dom.js';
import { send } from './api.js';
import { readEvents, jsonData } from './sse.js';
import { collectionHeader } from './collections.js';
import { openChunk } from './chunk.js';
import { showError, clearError, clearFieldErrors, fieldError, announce } from './ui.js';

const KIND_TEXT = {
  generative: 'Generative — written by the chat model from the cited passages.',
  extractive: 'Extractive — the most relevant passages, quoted (no chat model).',
  unknown: 'Answer type not reported by the server.',
};

export async function askPage({ view, params, signal, setTitle }) {
  const collection = await collectionHeader(view, params.id, 'ask', { signal, setTitle });
  if (!collection) return;

  const question = h('textarea', { name: 'question', rows: 3, required: true, maxlength: 4000, testid: 'ask-input' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'ask-submit' }, 'Ask');
  const stop = h('button', { type: 'button', class: 'btn', testid: 'ask-stop', hidden: true }, 'Stop');
  const form = h('form', { class: 'card form', testid: 'ask-form', novalidate: true },
    field(`Ask a question about “${collection.name}”`, question, 'Press Ctrl+Enter to send.'),
    h('div', { class: 'form-actions' }, submit, stop));

  const kindBadge = h('p', { class: 'kind', testid: 'ask-kind', hidden: true });
  const answer = h('div', { class: 'answer', testid: 'ask-answer', 'aria-live': 'polite', 'aria-busy': 'false', dataset: { state: 'idle' } });
  const citationList = h('ol', { class: 'citations', testid: 'ask-citations' });
  const citationsSection = h('section', { class: 'citations-section', hidden: true, 'aria-labelledby': 'citations-title' },
    h('h2', { id: 'citations-title' }, 'Sources'), citationList);
  const answerSection = h('section', { class: 'card answer-card', hidden: true, 'aria-labelledby': 'answer-title' },
    h('h2', { id: 'answer-title' }, 'Answer'), kindBadge, answer, citationsSection);

  // ---- state of the current answer
  let text = '';
  let citations = [];
  let kind = null;
  let renderQueued = false;
  let controller = null;

  question.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
  });
  stop.addEventListener('click', () => controller?.abort());
  signal.addEventListener('abort', () => controller?.abort());

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    clearFieldErrors(form);
    const q = question.value.trim();
    if (!q) return fieldError(form, question, 'Type a question first.');

    controller?.abort();
    controller = new AbortController();
    text = '';
    citations = [];
    kind = null;
    answerSection.hidden = false;
    answer.dataset.state = 'streaming';
    answer.setAttribute('aria-busy', 'true');
    replaceChildren(answer, h('p', { class: 'muted' }, 'Thinking…'));
    renderCitations();
    renderKind();
    submit.disabled = true;
    stop.hidden = false;

    try {
      await ask(q, controller.signal);
      if (!kind) { kind = 'unknown'; renderKind(); }
      answer.dataset.state = 'done';
      announce('The answer is complete.');
    } catch (err) {
      if (err.name === 'AbortError') {
        answer.dataset.state = 'stopped';
        if (!signal.aborted) announce('Stopped.');
      } else {
        answer.dataset.state = 'error';
        showError(err, { form });
      }
      if (!text) replaceChildren(answer, h('p', { class: 'muted' }, answer.dataset.state === 'stopped' ? 'Stopped before any answer arrived.' : 'No answer.'));
    } finally {
      answer.setAttribute('aria-busy', 'false');
      submit.disabled = false;
      stop.hidden = true;
      if (text) renderAnswerNow();
    }
  });

  async function ask(q, abortSignal) {
    const res = await send(`/api/collections/${encodeURIComponent(params.id)}/ask`, {
      method: 'POST',
      body: { question: q, stream: true },
      headers: { Accept: 'text/event-stream, application/json;q=0.9' },
      signal: abortSignal,
    });
    const type = res.headers.get('content-type') || '';
    if (type.includes('text/event-stream') && res.body) {
      for await (const { event, data } of readEvents(res.body)) {
        if (handleEvent(event, data) === 'done') break;
      }
    } else {
      // Fallback: the whole answer as JSON.
      const body = await res.json();
      citations = Array.isArray(body.citations) ? body.citations : [];
      kind = body.kind || null;
      text = typeof body.answer === 'string' ? body.answer : '';
      renderCitations();
      renderKind();
      renderAnswerNow();
    }
  }

  /** Apply one SSE event. Returns 'done' at the end of the answer. */
  function handleEvent(event, data) {
    const value = jsonData(data, data);
    // Whatever event carries it, an object with "kind" tells generative vs extractive.
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof value.kind === 'string') {
      kind = value.kind;
      renderKind();
    }
    switch (event) {
      case 'citations': {
        const list = Array.isArray(value) ? value : Array.isArray(value?.citations) ? value.citations : [];
        citations = list;
        renderCitations();
        queueRender();
        return null;
      }
      case 'token':
      case 'message':
        if (typeof value === 'string') text += value;
        else if (value && typeof value.token === 'string') text += value.token;
        else text += data; // not a JSON string (e.g. a bare number): take the raw text
        queueRender();
        return null;
      case 'done':
        if (value && typeof value === 'object' && typeof value.answer === 'string' && value.answer) text = value.answer;
        if (value && Array.isArray(value.citations) && !citations.length) { citations = value.citations; renderCitations(); }
        renderAnswerNow();
        return 'done';
      case 'error': {
        const err = new Error((value && (value.detail || value.title)) || (typeof value === 'string' ? value : 'The answer stopped with an error.'));
        throw err;
      }
      default:
        return null;
    }
  }

  // ---- rendering

  function queueRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => { renderQueued = false; renderAnswerNow(); });
  }

  function renderAnswerNow() {
    if (!text) return;
    replaceChildren(answer, ...answerNodes(text));
  }

  /** Text with [n] (or [1, 2]) markers turned into buttons that open the cited passage. */
  function answerNodes(value) {
    const nodes = [];
    const pattern = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
    let last = 0;
    for (const m of value.matchAll(pattern)) {
      nodes.push(value.slice(last, m.index));
      const numbers = m[1].split(',').map((n) => Number(n.trim()));
      if (numbers.every((n) => citationFor(n))) {
        numbers.forEach((n, i) => nodes.push(citationLink(n), i < numbers.length - 1 ? ' ' : null));
      } else {
        nodes.push(m[0]); // no such citation (yet): keep the text as is
      }
      last = m.index + m[0].length;
    }
    nodes.push(value.slice(last));
    // Paragraphs on blank lines; CSS keeps single newlines (white-space: pre-wrap).
    return [h('div', { class: 'answer-text' }, nodes.filter((n) => n !== null && n !== ''))];
  }

  function citationFor(n) {
    return citations.find((c) => Number(c.n) === n);
  }

  function citationLink(n) {
    const c = citationFor(n);
    const label = `Source ${n}: ${c.documentName || 'document'}${c.page != null ? `, page ${c.page}` : ''}`;
    return h('button', {
      type: 'button', class: 'citation-link', testid: 'citation-link', dataset: { n: String(n), chunkId: c.chunkId },
      'aria-label': label, title: label,
      onclick: () => openChunk(params.id, c.chunkId, { label: `[${n}] ${c.documentName || 'Source passage'}` }),
    }, `[${n}]`);
  }

  function renderCitations() {
    citationsSection.hidden = citations.length === 0;
    replaceChildren(citationList, citations.map((c) => {
      const open = h('button', { type: 'button', class: 'link-button', testid: 'citation-open', dataset: { n: String(c.n), chunkId: c.chunkId } }, 'Open passage');
      open.addEventListener('click', () => openChunk(params.id, c.chunkId, { label: `[${c.n}] ${c.documentName || 'Source passage'}` }));
      return h('li', { class: 'citation', testid: 'ask-citation', value: Number(c.n) || null, dataset: { n: String(c.n) } },
        h('div', { class: 'citation-head' },
          h('span', { class: 'citation-n' }, `[${c.n}]`), ' ',
          h('strong', {}, c.documentName || 'Unknown document'),
          c.page != null ? h('span', { class: 'muted' }, ` · page ${c.page}`) : null),
        c.snippet ? h('p', { class: 'snippet' }, safeSnippet(c.snippet)) : null,
        open);
    }));
  }

  function renderKind() {
    kindBadge.hidden = !kind;
    kindBadge.dataset.kind = kind || '';
    kindBadge.textContent = kind ? (KIND_TEXT[kind] || `Answer type: ${kind}`) : '';
    kindBadge.className = `kind kind-${kind || 'unknown'}`;
  }

  view.append(form, answerSection);
}
