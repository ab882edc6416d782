// The chunk viewer dialog, opened from search results and answer citations.
// GET /api/collections/{id}/chunks/{chunkId} → { id, documentId, documentName, position, page, heading, text }

import { h, replaceChildren } from './dom.js';
import { api } from './api.js';
import { openDialog, describeError } from './ui.js';

export function openChunk(collectionId, chunkId, { label } = {}) {
  const body = h('div', { class: 'chunk', testid: 'chunk-body', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading the passage…'));
  const closeBtn = h('button', { type: 'button', class: 'btn' }, 'Close');
  const d = openDialog({
    title: label || 'Source passage',
    body: [body],
    actions: [closeBtn],
    testid: 'chunk-dialog',
    wide: true,
    initialFocus: closeBtn,
  });
  closeBtn.addEventListener('click', () => d.close());

  const controller = new AbortController();
  d.closed.then(() => controller.abort());

  api.get(`/api/collections/${encodeURIComponent(collectionId)}/chunks/${encodeURIComponent(chunkId)}`, null, { signal: controller.signal })
    .then((chunk) => {
      const where = [
        chunk.page != null ? `page ${chunk.page}` : null,
        chunk.position != null ? `chunk #${chunk.position}` : null,
      ].filter(Boolean).join(' · ');
      replaceChildren(body,
        h('p', { class: 'chunk-source' },
          h('strong', { testid: 'chunk-document' }, chunk.documentName || 'Unknown document'),
          where ? h('span', { class: 'muted' }, ` — ${where}`) : null),
        chunk.heading ? h('h3', { class: 'chunk-heading', testid: 'chunk-heading' }, chunk.heading) : null,
        // textContent + CSS white-space: pre-wrap: the passage is shown exactly, never as HTML.
        h('div', { class: 'chunk-text', testid: 'chunk-text' }, chunk.text ?? ''));
    })
    .catch((err) => {
      if (err.name === 'AbortError') return;
      replaceChildren(body, h('p', { class: 'error-text', role: 'alert' }, describeError(err).message));
    });
  return d;
}
