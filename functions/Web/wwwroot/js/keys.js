// API keys: list, create (name + scopes, key shown once), revoke.

import { h, field, replaceChildren, formatDate } from './dom.js';
import { api } from './api.js';
import { showError, clearError, clearFieldErrors, fieldError, announce, busy, confirmDialog, loading } from './ui.js';

const SCOPES = [
  ['read', 'Read — search, ask, list'],
  ['write', 'Write — create, upload, delete'],
];

export async function keysPage({ view, signal }) {
  const list = h('div', { testid: 'keys-list' }, loading());
  const newKeyArea = h('div');

  // --- Create form
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, testid: 'key-name', placeholder: 'e.g. laptop CLI' });
  const scopeBoxes = SCOPES.map(([value, label]) => {
    const box = h('input', { type: 'checkbox', name: 'scopes', value, checked: value === 'read', testid: `key-scope-${value}` });
    return h('label', { class: 'check' }, box, ` ${label}`);
  });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'key-create' }, 'Create key');
  const form = h('form', { class: 'card form', testid: 'new-key-form', novalidate: true },
    h('h2', {}, 'New API key'),
    field('Name', name),
    h('fieldset', { class: 'field' }, h('legend', {}, 'Scopes'), h('div', { class: 'checks' }, scopeBoxes)),
    h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    clearFieldErrors(form);
    const scopes = [...form.querySelectorAll('input[name=scopes]:checked')].map((box) => box.value);
    if (!name.value.trim()) return fieldError(form, name, 'Give the key a name you will recognise.');
    if (!scopes.length) return fieldError(form, form.querySelector('input[name=scopes]'), 'Pick at least one scope.');
    try {
      const created = await busy(submit, () => api.post('/api/auth/keys', { name: name.value.trim(), scopes }));
      form.reset();
      showNewKey(created);
      await load();
    } catch (err) {
      showError(err, { form });
    }
  });

  function showNewKey(created) {
    const keyInput = h('input', { type: 'text', readonly: true, value: created.key, class: 'mono', testid: 'new-key-value', 'aria-label': 'New API key' });
    const copy = h('button', { type: 'button', class: 'btn btn-primary', testid: 'new-key-copy' }, 'Copy');
    copy.addEventListener('click', async () => {
      const ok = await copyText(created.key, keyInput);
      announce(ok ? 'Key copied to the clipboard.' : 'Could not copy automatically — the key is selected, press Ctrl+C (⌘C).');
      if (ok) copy.textContent = 'Copied';
    });
    const done = h('button', { type: 'button', class: 'btn', testid: 'new-key-done' }, 'I have saved it');
    done.addEventListener('click', () => { replaceChildren(newKeyArea); name.focus(); });
    const panel = h('section', { class: 'card notice-card', testid: 'new-key-panel', 'aria-labelledby': 'new-key-title' },
      h('h2', { id: 'new-key-title' }, `Key “${created.name}” created`),
      h('p', { class: 'warning', testid: 'new-key-warning' },
        h('strong', {}, 'Copy it now: '), 'this key will not be shown again. If you lose it, revoke it and create a new one.'),
      h('div', { class: 'copy-row' }, keyInput, copy),
      h('div', { class: 'form-actions' }, done));
    replaceChildren(newKeyArea, panel);
    keyInput.focus();
    keyInput.select();
  }

  async function load() {
    try {
      const data = await api.get('/api/auth/keys', null, { signal });
      renderList(data?.items || []);
    } catch (err) {
      if (!signal.aborted) { showError(err); replaceChildren(list, h('p', { class: 'muted' }, 'Could not load your keys.')); }
    }
  }

  function renderList(items) {
    if (!items.length) {
      replaceChildren(list, h('p', { class: 'empty' }, 'You have no API keys yet.'));
      return;
    }
    const rows = items.map((key) => {
      const revoked = Boolean(key.revokedAt);
      const revoke = revoked ? null : h('button', { type: 'button', class: 'btn btn-danger btn-small', testid: 'key-revoke' }, 'Revoke');
      revoke?.addEventListener('click', async () => {
        const sure = await confirmDialog({
          title: 'Revoke this key?',
          message: `Anything using “${key.name}” (${key.prefix}…) stops working at once. This cannot be undone.`,
          confirmLabel: 'Revoke key',
        });
        if (!sure) return;
        try {
          await busy(revoke, () => api.del(`/api/auth/keys/${encodeURIComponent(key.id)}`));
          announce(`Key “${key.name}” revoked.`);
          await load();
        } catch (err) { showError(err); }
      });
      return h('tr', { testid: 'key-row', dataset: { id: key.id, revoked: String(revoked) } },
        h('td', { 'data-label': 'Name' }, key.name),
        h('td', { 'data-label': 'Prefix', class: 'mono' }, `${key.prefix}…`),
        h('td', { 'data-label': 'Scopes' }, (key.scopes || []).join(', ')),
        h('td', { 'data-label': 'Created' }, formatDate(key.createdAt)),
        h('td', { 'data-label': 'Last used' }, key.lastUsedAt ? formatDate(key.lastUsedAt) : 'Never'),
        h('td', { 'data-label': 'Status' }, revoked
          ? h('span', { class: 'badge badge-muted' }, `Revoked ${formatDate(key.revokedAt)}`)
          : h('span', { class: 'badge badge-ok' }, 'Active')),
        h('td', { 'data-label': 'Actions', class: 'actions' }, revoke));
    });
    replaceChildren(list, h('div', { class: 'table-wrap' },
      h('table', { class: 'table stack' },
        h('caption', { class: 'visually-hidden' }, 'Your API keys'),
        h('thead', {}, h('tr', {}, ['Name', 'Prefix', 'Scopes', 'Created', 'Last used', 'Status', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rows))));
  }

  view.append(
    h('h1', {}, 'API keys'),
    h('p', { class: 'muted' }, 'Keys let scripts, the CLI, the OpenAI-compatible endpoint and MCP clients use Fathom as you. Send one as ',
      h('code', {}, 'Authorization: Bearer <key>'), '.'),
    newKeyArea,
    form,
    h('h2', {}, 'Your keys'),
    list);
  await load();
}

async function copyText(text, fallbackInput) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API needs a secure context (https or localhost). Fall back to a selection.
    fallbackInput.focus();
    fallbackInput.select();
    try { return document.execCommand('copy'); } catch { return false; }
  }
}
