// Collections: paged list, create form, delete. Also the shared collection header
// (name + Documents / Search / Ask tabs) used by the collection pages.

import { h, field, replaceChildren, formatDate } from './dom.js';
import { api } from './api.js';
import { showError, clearError, clearFieldErrors, fieldError, announce, busy, confirmDialog, pager, loading } from './ui.js';

const PAGE_SIZE = 20;

// Defaults per embedding provider (the user can still edit model and dimension).
const PROVIDER_DEFAULTS = {
  hashed: { model: 'fathom-hashed-v1', dimension: 384 },
  openai: { model: 'text-embedding-3-small', dimension: 1536 },
  onnx: { model: 'all-MiniLM-L6-v2', dimension: 384 },
};

export async function collectionsPage({ view, query, signal, navigate }) {
  let page = Math.max(1, Number(query.get('page')) || 1);
  const listArea = h('div', { testid: 'collections-list' }, loading());

  async function load() {
    try {
      const data = await api.get('/api/collections', { page, pageSize: PAGE_SIZE }, { signal });
      if (signal.aborted) return;
      // Deleting the last item of the last page: step back a page.
      if (!data.items.length && page > 1 && data.total > 0) { page -= 1; return load(); }
      renderList(data);
    } catch (err) {
      if (!signal.aborted) { showError(err); replaceChildren(listArea, h('p', { class: 'muted' }, 'Could not load collections.')); }
    }
  }

  function renderList(data) {
    if (!data.items.length) {
      replaceChildren(listArea, h('p', { class: 'empty' }, 'No collections yet. Create one to start adding documents.'));
      return;
    }
    const rows = data.items.map((c) => {
      const del = h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'collection-delete' }, 'Delete');
      del.addEventListener('click', async () => {
        const sure = await confirmDialog({
          title: 'Delete this collection?',
          message: `“${c.name}” and its ${c.documentCount ?? 0} document(s) will be deleted. This cannot be undone.`,
          confirmLabel: 'Delete collection',
        });
        if (!sure) return;
        try {
          await busy(del, () => api.del(`/api/collections/${encodeURIComponent(c.id)}`));
          announce(`Collection “${c.name}” deleted.`);
          await load();
        } catch (err) { showError(err); }
      });
      const href = `#/collections/${encodeURIComponent(c.id)}`;
      return h('tr', { testid: 'collection-row', dataset: { id: c.id } },
        h('td', { 'data-label': 'Name' }, h('a', { href, testid: 'collection-open' }, c.name)),
        h('td', { 'data-label': 'Description' }, c.description || h('span', { class: 'muted' }, '—')),
        h('td', { 'data-label': 'Documents', class: 'num' }, String(c.documentCount ?? 0)),
        h('td', { 'data-label': 'Embedding' }, c.settings?.embedding ? `${c.settings.embedding.provider} · ${c.settings.embedding.model}` : '—'),
        h('td', { 'data-label': 'Created' }, formatDate(c.createdAt)),
        h('td', { 'data-label': 'Actions', class: 'actions' },
          h('a', { href: `${href}/search`, class: 'btn btn-small' }, 'Search'),
          h('a', { href: `${href}/ask`, class: 'btn btn-small' }, 'Ask'),
          del));
    });
    replaceChildren(listArea,
      h('div', { class: 'table-wrap' },
        h('table', { class: 'table stack' },
          h('caption', { class: 'visually-hidden' }, 'Your collections'),
          h('thead', {}, h('tr', {}, ['Name', 'Description', 'Documents', 'Embedding', 'Created', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, rows))),
      pager(data, (p) => { page = p; history.replaceState(null, '', `#/collections?page=${p}`); load(); }));
  }

  const form = newCollectionForm(async (created) => {
    announce(`Collection “${created.name}” created.`);
    navigate(`/collections/${encodeURIComponent(created.id)}`);
  });

  view.append(
    h('div', { class: 'page-head' },
      h('h1', {}, 'Collections'),
      h('p', { class: 'muted' }, 'A collection holds documents that are chunked, embedded and searchable together.')),
    h('details', { class: 'card disclosure', testid: 'new-collection' },
      h('summary', { testid: 'new-collection-toggle' }, 'New collection'),
      form),
    listArea);
  await load();
}

function newCollectionForm(onCreated) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200, testid: 'new-collection-name' });
  const description = h('textarea', { name: 'description', rows: 2, maxlength: 2000, testid: 'new-collection-description' });
  const chunkSize = h('input', { type: 'number', name: 'chunkSize', min: 64, max: 2048, step: 1, value: '400', required: true, inputmode: 'numeric', testid: 'new-collection-chunk-size' });
  const chunkOverlap = h('input', { type: 'number', name: 'chunkOverlap', min: 0, max: 1024, step: 1, value: '50', required: true, inputmode: 'numeric', testid: 'new-collection-chunk-overlap' });
  const provider = h('select', { name: 'provider', testid: 'new-collection-provider', value: 'hashed' },
    h('option', { value: 'hashed' }, 'hashed (built in, offline)'),
    h('option', { value: 'openai' }, 'openai (OpenAI-compatible endpoint)'),
    h('option', { value: 'onnx' }, 'onnx (local model file)'));
  const model = h('input', { type: 'text', name: 'model', required: true, value: PROVIDER_DEFAULTS.hashed.model, testid: 'new-collection-model' });
  const dimension = h('input', { type: 'number', name: 'dimension', min: 1, max: 8192, step: 1, required: true, value: '384', inputmode: 'numeric', testid: 'new-collection-dimension' });
  provider.addEventListener('change', () => {
    const d = PROVIDER_DEFAULTS[provider.value];
    if (d) { model.value = d.model; dimension.value = String(d.dimension); }
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'new-collection-submit' }, 'Create collection');

  const form = h('form', { class: 'form', testid: 'new-collection-form', novalidate: true },
    field('Name', name),
    field('Description (optional)', description),
    h('fieldset', { class: 'fieldset' },
      h('legend', {}, 'Chunking'),
      h('div', { class: 'grid-2' },
        field('Chunk size (tokens)', chunkSize, '64 to 2048.'),
        field('Chunk overlap (tokens)', chunkOverlap, 'At most half the chunk size.'))),
    h('fieldset', { class: 'fieldset' },
      h('legend', {}, 'Embedding'),
      h('p', { class: 'hint' }, 'Fixed once the collection is created.'),
      h('div', { class: 'grid-3' },
        field('Provider', provider),
        field('Model', model),
        field('Dimension', dimension))),
    h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    clearFieldErrors(form);
    const size = Number(chunkSize.value);
    const overlap = Number(chunkOverlap.value);
    const dim = Number(dimension.value);
    if (!name.value.trim()) return fieldError(form, name, 'Give the collection a name.');
    if (!Number.isInteger(size) || size < 64 || size > 2048) return fieldError(form, chunkSize, 'Chunk size must be a whole number from 64 to 2048.');
    if (!Number.isInteger(overlap) || overlap < 0 || overlap > Math.floor(size / 2)) return fieldError(form, chunkOverlap, `Overlap must be from 0 to ${Math.floor(size / 2)} (half the chunk size).`);
    if (!model.value.trim()) return fieldError(form, model, 'Enter the embedding model name.');
    if (!Number.isInteger(dim) || dim < 1) return fieldError(form, dimension, 'Dimension must be a positive whole number.');

    const body = {
      name: name.value.trim(),
      description: description.value.trim() || undefined,
      settings: {
        chunkSize: size,
        chunkOverlap: overlap,
        embedding: { provider: provider.value, model: model.value.trim(), dimension: dim },
      },
    };
    try {
      const created = await busy(submit, () => api.post('/api/collections', body));
      form.reset();
      await onCreated(created);
    } catch (err) {
      showError(err, { form });
    }
  });
  return form;
}

// ---------------------------------------------------------------------------
// Shared header for /collections/:id, /collections/:id/search and /collections/:id/ask

/**
 * Load the collection and render its header with tabs. Returns the collection,
 * or null if it could not be loaded (the error is shown already).
 */
export async function collectionHeader(view, id, active, { signal, setTitle }) {
  const header = h('div', { class: 'page-head' }, h('h1', {}, 'Collection'), loading());
  view.append(header);
  let collection;
  try {
    collection = await api.get(`/api/collections/${encodeURIComponent(id)}`, null, { signal });
  } catch (err) {
    if (!signal.aborted) {
      showError(err);
      replaceChildren(header, h('h1', {}, 'Collection not available'),
        h('p', {}, h('a', { href: '#/collections' }, '← Back to collections')));
    }
    return null;
  }
  const base = `#/collections/${encodeURIComponent(id)}`;
  const tab = (key, label, href) => h('a', { href, class: 'tab', testid: `tab-${key}`, 'aria-current': key === active ? 'page' : null }, label);
  const labels = { documents: 'Documents', search: 'Search', ask: 'Ask' };
  setTitle(`${labels[active]} · ${collection.name}`);
  replaceChildren(header,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/collections' }, 'Collections'), ' / '),
    h('h1', { testid: 'collection-title' }, collection.name),
    collection.description ? h('p', { class: 'muted' }, collection.description) : null,
    h('nav', { class: 'tabs', 'aria-label': 'Collection sections' },
      tab('documents', 'Documents', base),
      tab('search', 'Search', `${base}/search`),
      tab('ask', 'Ask', `${base}/ask`)));
  return collection;
}
