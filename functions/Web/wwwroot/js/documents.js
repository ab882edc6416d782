// Collection page: documents table, drag-and-drop upload with per-file progress,
// live status polling while anything is PENDING/RUNNING, retry, delete, filter, paging.

import { h, field, replaceChildren, formatDate, formatBytes } from './dom.js';
import { api, uploadFile } from './api.js';
import { collectionHeader } from './collections.js';
import { showError, describeError, announce, busy, confirmDialog, pager, loading } from './ui.js';

const PAGE_SIZE = 20;
const POLL_MS = 2000;          // while something is pending/running
const POLL_HIDDEN_MS = 10000;  // same, while the tab is in the background
const PARALLEL_UPLOADS = 2;
const ACCEPT = '.txt,.md,.html,.pdf,.docx,.csv,.json';
const ACTIVE = new Set(['PENDING', 'RUNNING']);
const STATUS_LABEL = { PENDING: 'Pending', RUNNING: 'Running', COMPLETE: 'Complete', FAILED: 'Failed' };

export async function documentsPage({ view, params, signal, setTitle }) {
  const collection = await collectionHeader(view, params.id, 'documents', { signal, setTitle });
  if (!collection) return;
  const base = `/api/collections/${encodeURIComponent(params.id)}`;

  // ---- state
  let page = 1;
  let statusFilter = '';
  let nameFilter = '';
  let pollTimer = null;
  const rows = new Map();          // document id → { row, update(doc) }
  const lastStatus = new Map();    // document id → status seen last time (for announcements)

  // ---- upload zone
  const fileInput = h('input', { type: 'file', multiple: true, accept: ACCEPT, testid: 'upload-input', id: 'upload-input' });
  const uploads = h('ul', { class: 'upload-list', testid: 'upload-list', 'aria-label': 'Uploads' });
  const dropZone = h('div', { class: 'dropzone', testid: 'upload-dropzone' },
    h('p', { class: 'dropzone-title' }, 'Drop files here to add them'),
    h('p', { class: 'muted' }, 'Accepted: .txt .md .html .pdf .docx .csv .json'),
    h('div', { class: 'field inline' }, h('label', { for: 'upload-input' }, 'Or choose files:'), fileInput));

  fileInput.addEventListener('change', () => {
    enqueue([...fileInput.files]);
    fileInput.value = '';
  });
  let dragDepth = 0;
  dropZone.addEventListener('dragenter', (e) => { e.preventDefault(); dragDepth++; dropZone.classList.add('dragover'); });
  dropZone.addEventListener('dragover', (e) => { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'; });
  dropZone.addEventListener('dragleave', () => { dragDepth = Math.max(0, dragDepth - 1); if (!dragDepth) dropZone.classList.remove('dragover'); });
  dropZone.addEventListener('drop', (e) => {
    e.preventDefault();
    dragDepth = 0;
    dropZone.classList.remove('dragover');
    enqueue([...(e.dataTransfer?.files || [])]);
  });
  // A file dropped next to the zone must not make the browser leave the app to open it.
  const swallow = (e) => { if (e.dataTransfer?.types?.includes('Files')) e.preventDefault(); };
  window.addEventListener('dragover', swallow);
  window.addEventListener('drop', swallow);

  const clearFinished = h('button', { type: 'button', class: 'btn btn-small', testid: 'upload-clear', hidden: true }, 'Clear finished uploads');
  clearFinished.addEventListener('click', () => {
    for (const li of uploads.querySelectorAll('[data-state="done"], [data-state="error"]')) li.remove();
    clearFinished.hidden = uploads.children.length === 0;
  });

  // ---- upload queue
  const queue = [];
  let running = 0;

  function enqueue(files) {
    if (!files.length) return;
    for (const file of files) queue.push(uploadItem(file));
    announce(`${files.length} file${files.length === 1 ? '' : 's'} queued for upload.`);
    pump();
  }

  function pump() {
    while (running < PARALLEL_UPLOADS && queue.length && !signal.aborted) {
      const item = queue.shift();
      running++;
      item.start().finally(() => { running--; pump(); });
    }
  }

  function uploadItem(file) {
    const progress = h('progress', { max: 100, value: 0, 'aria-label': `Upload progress of ${file.name}` });
    const state = h('span', { class: 'upload-state' }, 'Waiting…');
    const li = h('li', { class: 'upload-item', testid: 'upload-item', dataset: { name: file.name, state: 'queued' } },
      h('span', { class: 'upload-name' }, file.name),
      h('span', { class: 'muted' }, formatBytes(file.size)),
      progress, state);
    uploads.prepend(li);
    clearFinished.hidden = false;

    const setState = (name, text) => { li.dataset.state = name; state.textContent = text; };
    return {
      async start() {
        setState('uploading', 'Uploading… 0%');
        const job = uploadFile(`${base}/documents`, file, {
          onProgress(loaded, total) {
            const pct = total ? Math.round((loaded / total) * 100) : 0;
            progress.value = pct;
            state.textContent = `Uploading… ${pct}%`;
          },
        });
        signal.addEventListener('abort', job.abort, { once: true });
        try {
          const result = await job.promise;
          progress.value = 100;
          const doc = result?.documents?.[0];
          setState('done', doc?.duplicate ? 'Already in this collection (duplicate)' : 'Uploaded — queued for indexing');
          announce(`${file.name} uploaded.`);
          scheduleReload(300);
        } catch (err) {
          if (err.name === 'AbortError') return;
          progress.removeAttribute('value');
          progress.hidden = true;
          setState('error', describeError(err).message);
          li.classList.add('error');
          showError(err, { prefix: `${file.name}:` });
        }
      },
    };
  }

  // ---- filters
  const statusSelect = h('select', { name: 'status', testid: 'document-status-filter' },
    h('option', { value: '' }, 'All'),
    Object.entries(STATUS_LABEL).map(([value, label]) => h('option', { value }, label)));
  statusSelect.addEventListener('change', () => { statusFilter = statusSelect.value; page = 1; reset(); });
  const nameInput = h('input', { type: 'search', name: 'q', testid: 'document-search', placeholder: 'Part of the file name' });
  let nameTimer = null;
  nameInput.addEventListener('input', () => {
    clearTimeout(nameTimer);
    nameTimer = setTimeout(() => { nameFilter = nameInput.value.trim(); page = 1; reset(); }, 300);
  });
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter documents', onsubmit: (e) => e.preventDefault() },
    field('Status', statusSelect), field('Name', nameInput));

  // ---- table
  const tbody = h('tbody', { testid: 'documents-body' });
  const table = h('div', { class: 'table-wrap' },
    h('table', { class: 'table stack', testid: 'documents-table' },
      h('caption', { class: 'visually-hidden' }, 'Documents in this collection'),
      h('thead', {}, h('tr', {}, ['Name', 'Status', 'Size', 'Updated', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody));
  const emptyNote = h('p', { class: 'empty', hidden: true, testid: 'documents-empty' });
  const pagerArea = h('div');
  const liveNote = h('p', { class: 'muted live-note', testid: 'documents-live' });
  const listArea = h('div', {}, loading());

  function reset() {
    rows.clear();
    tbody.textContent = '';
    load();
  }

  function scheduleReload(ms) {
    clearTimeout(pollTimer);
    if (!signal.aborted) pollTimer = setTimeout(load, ms);
  }

  let loadSeq = 0; // only the newest load may render (uploads, polling and filters can overlap)

  async function load() {
    clearTimeout(pollTimer);
    pollTimer = null;
    const seq = ++loadSeq;
    let data;
    try {
      data = await api.get(`${base}/documents`, { page, pageSize: PAGE_SIZE, status: statusFilter, q: nameFilter }, { signal });
    } catch (err) {
      if (signal.aborted || seq !== loadSeq) return;
      showError(err);
      liveNote.textContent = 'Could not refresh the list.';
      if (err.status === 0 || err.status === 429 || err.status >= 500) scheduleReload((err.retryAfter || 5) * 1000);
      return;
    }
    if (signal.aborted || seq !== loadSeq) return;
    if (!data.items.length && page > 1 && data.total > 0) { page -= 1; return load(); }
    if (listArea.firstChild?.classList?.contains('loading')) replaceChildren(listArea, table, emptyNote, pagerArea);
    render(data);

    const active = data.items.filter((d) => ACTIVE.has(d.status)).length;
    if (active) {
      liveNote.textContent = `Watching ${active} document${active === 1 ? '' : 's'} being indexed…`;
      scheduleReload(document.hidden ? POLL_HIDDEN_MS : POLL_MS);
    } else {
      liveNote.textContent = '';
    }
  }

  function render(data) {
    emptyNote.hidden = data.items.length > 0;
    emptyNote.textContent = statusFilter || nameFilter ? 'No documents match the filter.' : 'No documents yet. Drop some files above.';
    table.hidden = data.items.length === 0;

    const wanted = data.items.map((doc) => {
      let entry = rows.get(doc.id);
      if (!entry) { entry = documentRow(doc); rows.set(doc.id, entry); }
      entry.update(doc);
      announceChange(doc);
      return entry.row;
    });
    // Drop rows no longer on this page; reorder only when needed (moving a node loses its focus).
    const ids = new Set(data.items.map((d) => d.id));
    for (const [id, entry] of rows) if (!ids.has(id)) { entry.row.remove(); rows.delete(id); }
    const current = [...tbody.children];
    if (current.length !== wanted.length || current.some((row, i) => row !== wanted[i])) {
      for (const row of wanted) tbody.appendChild(row);
    }
    replaceChildren(pagerArea, pager(data, (p) => { page = p; reset(); }));
  }

  function announceChange(doc) {
    const before = lastStatus.get(doc.id);
    lastStatus.set(doc.id, doc.status);
    if (!before || before === doc.status) return;
    if (doc.status === 'COMPLETE') announce(`${doc.name} is indexed (${doc.chunksTotal ?? doc.chunksDone ?? 0} chunks).`);
    else if (doc.status === 'FAILED') announce(`${doc.name} failed: ${doc.error || 'unknown error'}.`);
    else if (doc.status === 'RUNNING') announce(`${doc.name} is being indexed.`);
  }

  function documentRow(initial) {
    let doc = initial;
    const nameCell = h('td', { 'data-label': 'Name', class: 'doc-name' });
    const badge = h('span', { class: 'badge', testid: 'document-status' });
    const progress = h('progress', { max: 1, 'aria-label': `Indexing progress of ${initial.name}` });
    const progressText = h('span', { class: 'progress-text', testid: 'document-progress' });
    const errorText = h('p', { class: 'doc-error', testid: 'document-error' });
    const statusCell = h('td', { 'data-label': 'Status' }, badge, h('span', { class: 'doc-progress' }, progress, progressText), errorText);
    const sizeCell = h('td', { 'data-label': 'Size' });
    const updatedCell = h('td', { 'data-label': 'Updated' });
    const retry = h('button', { type: 'button', class: 'btn btn-small', testid: 'document-retry' }, 'Retry');
    const del = h('button', { type: 'button', class: 'btn btn-small btn-danger', testid: 'document-delete' }, 'Delete');
    const row = h('tr', { testid: 'document-row' }, nameCell, statusCell, sizeCell, updatedCell,
      h('td', { 'data-label': 'Actions', class: 'actions' }, retry, del));

    retry.addEventListener('click', async () => {
      try {
        await busy(retry, () => api.post(`${base}/documents/${encodeURIComponent(doc.id)}/reindex`));
        announce(`${doc.name} queued for indexing again.`);
        update({ ...doc, status: 'PENDING', error: null, chunksDone: 0 });
        scheduleReload(500);
      } catch (err) { showError(err); }
    });
    del.addEventListener('click', async () => {
      const sure = await confirmDialog({
        title: 'Delete this document?',
        message: `“${doc.name}” and its chunks will be removed from search. This cannot be undone.`,
        confirmLabel: 'Delete document',
      });
      if (!sure) return;
      try {
        await busy(del, () => api.del(`${base}/documents/${encodeURIComponent(doc.id)}`));
        announce(`${doc.name} deleted.`);
        load();
      } catch (err) { showError(err); }
    });

    function update(next) {
      doc = next;
      row.dataset.id = doc.id;
      row.dataset.status = doc.status;
      replaceChildren(nameCell, h('span', { class: 'name' }, doc.name), doc.contentType ? h('span', { class: 'muted small' }, doc.contentType) : null);
      badge.textContent = STATUS_LABEL[doc.status] || doc.status;
      badge.className = `badge status-${String(doc.status).toLowerCase()}`;

      const running = doc.status === 'RUNNING';
      progress.hidden = !running;
      if (running && doc.chunksTotal > 0) {
        progress.max = doc.chunksTotal;
        progress.value = Math.min(doc.chunksDone ?? 0, doc.chunksTotal);
      } else {
        progress.removeAttribute('value'); // indeterminate until the total is known
      }
      progressText.textContent = running
        ? (doc.chunksTotal > 0 ? `${doc.chunksDone ?? 0}/${doc.chunksTotal} chunks` : 'starting…')
        : doc.status === 'COMPLETE' && doc.chunksTotal != null ? `${doc.chunksTotal} chunks` : '';
      errorText.textContent = doc.status === 'FAILED' ? (doc.error || 'Indexing failed (no reason given).') : '';
      errorText.hidden = doc.status !== 'FAILED';

      sizeCell.textContent = formatBytes(doc.size);
      updatedCell.textContent = formatDate(doc.updatedAt || doc.createdAt);
      retry.textContent = doc.status === 'FAILED' ? 'Retry' : 'Reindex';
      retry.setAttribute('aria-label', `${retry.textContent} ${doc.name}`);
      retry.disabled = ACTIVE.has(doc.status);
      del.setAttribute('aria-label', `Delete ${doc.name}`);
    }

    return { row, update };
  }

  // ---- stop everything when the user leaves the page
  signal.addEventListener('abort', () => {
    clearTimeout(pollTimer);
    clearTimeout(nameTimer);
    window.removeEventListener('dragover', swallow);
    window.removeEventListener('drop', swallow);
  });
  // Come back to the tab: refresh at once instead of waiting for the slow poll.
  const onVisible = () => { if (!document.hidden && pollTimer) scheduleReload(0); };
  document.addEventListener('visibilitychange', onVisible);
  signal.addEventListener('abort', () => document.removeEventListener('visibilitychange', onVisible));

  view.append(
    h('section', { class: 'card', 'aria-labelledby': 'upload-title' },
      h('h2', { id: 'upload-title' }, 'Add documents'),
      dropZone,
      uploads,
      h('div', { class: 'upload-tools' }, clearFinished)),
    h('section', { 'aria-labelledby': 'docs-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'docs-title' }, 'Documents'), filters),
      liveNote,
      listArea));
  await load();
}
