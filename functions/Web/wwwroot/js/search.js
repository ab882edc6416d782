// Search page: query + mode (vector / full-text / hybrid) → results with safe snippets.

import { h, field, replaceChildren, safeSnippet } from './dom.js';
import { api } from './api.js';
import { collectionHeader } from './collections.js';
import { openChunk } from './chunk.js';
import { showError, clearError, clearFieldErrors, fieldError, busy } from './ui.js';

const MODES = [
  ['hybrid', 'Hybrid', 'keywords and meaning, fused'],
  ['vector', 'Vector', 'by meaning'],
  ['fulltext', 'Full-text', 'by keywords'],
];

export async function searchPage({ view, params, query, signal, setTitle }) {
  const collection = await collectionHeader(view, params.id, 'search', { signal, setTitle });
  if (!collection) return;

  const input = h('input', { type: 'search', name: 'query', required: true, testid: 'search-input', autocomplete: 'off', value: query.get('q') || '' });
  const initialMode = MODES.some(([m]) => m === query.get('mode')) ? query.get('mode') : 'hybrid';
  const radios = MODES.map(([value, label, hint]) => h('label', { class: 'radio' },
    h('input', { type: 'radio', name: 'mode', value, checked: value === initialMode, testid: `search-mode-${value}` }),
    ` ${label} `, h('span', { class: 'muted small' }, `(${hint})`)));
  const topK = h('input', { type: 'number', name: 'topK', min: 1, max: 50, value: '10', inputmode: 'numeric', testid: 'search-topk' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'search-submit' }, 'Search');
  const form = h('form', { class: 'card form', role: 'search', testid: 'search-form', novalidate: true },
    h('div', { class: 'search-row' }, field('Search this collection', input), submit),
    h('div', { class: 'search-options' },
      h('fieldset', { class: 'radios' }, h('legend', {}, 'Mode'), radios),
      field('Results', topK)));

  const summary = h('p', { class: 'muted', testid: 'search-summary', role: 'status' });
  const results = h('ol', { class: 'results', testid: 'search-results' });

  let controller = null;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    clearFieldErrors(form);
    const q = input.value.trim();
    const mode = form.querySelector('input[name=mode]:checked')?.value || 'hybrid';
    const k = Number(topK.value) || 10;
    if (!q) return fieldError(form, input, 'Type something to search for.');
    if (k < 1 || k > 50) return fieldError(form, topK, 'Choose from 1 to 50 results.');

    // Keep the query in the address so Back/reload bring it back.
    history.replaceState(null, '', `#/collections/${encodeURIComponent(params.id)}/search?q=${encodeURIComponent(q)}&mode=${mode}`);

    controller?.abort();
    controller = new AbortController();
    signal.addEventListener('abort', () => controller.abort(), { once: true });
    summary.textContent = 'Searching…';
    results.setAttribute('aria-busy', 'true');
    try {
      const data = await busy(submit, () => api.post(
        `/api/collections/${encodeURIComponent(params.id)}/search`,
        { query: q, mode, topK: k },
        { signal: controller.signal }));
      renderResults(data, q);
    } catch (err) {
      if (err.name === 'AbortError') return;
      summary.textContent = '';
      showError(err, { form });
    } finally {
      results.removeAttribute('aria-busy');
    }
  });

  function renderResults(data, q) {
    const items = data?.results || [];
    summary.textContent = items.length
      ? `${items.length} result${items.length === 1 ? '' : 's'} for “${q}” (${data.mode || 'hybrid'}).`
      : `No results for “${q}”. Try other words or another mode.`;
    replaceChildren(results, items.map((r, i) => {
      const open = h('button', { type: 'button', class: 'link-button', testid: 'search-result-open' }, 'Open passage');
      open.addEventListener('click', () => openChunk(params.id, r.chunkId, { label: r.documentName || 'Source passage' }));
      const where = [r.page != null ? `page ${r.page}` : null, r.heading || null].filter(Boolean).join(' · ');
      return h('li', { class: 'result', testid: 'search-result', dataset: { chunkId: r.chunkId, documentId: r.documentId } },
        h('div', { class: 'result-head' },
          h('span', { class: 'result-rank', 'aria-hidden': 'true' }, `${i + 1}.`),
          h('span', { class: 'result-doc', testid: 'search-result-document' }, r.documentName || 'Unknown document'),
          where ? h('span', { class: 'muted small', testid: 'search-result-page' }, where) : null,
          h('span', { class: 'score', testid: 'search-result-score', title: 'Relevance score' }, `score ${formatScore(r.score)}`)),
        h('p', { class: 'snippet', testid: 'search-result-snippet' }, r.snippet ? safeSnippet(r.snippet) : (r.text || '').slice(0, 300)),
        open);
    }));
  }

  view.append(form, summary, results);
  if (input.value) form.requestSubmit();
}

function formatScore(score) {
  if (typeof score !== 'number') return '—';
  return Math.abs(score) >= 100 ? score.toFixed(0) : score.toPrecision(3);
}
