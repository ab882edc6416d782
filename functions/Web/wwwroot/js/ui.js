// Shared UI pieces: the error alert, status announcements, field errors,
// modal dialogs (focus trap + Escape), confirmation, and the pager.

import { h, replaceChildren, uid, formatBytes } from './dom.js';

const alertRegion = () => document.getElementById('error-alert');
const statusRegion = () => document.getElementById('status-message');

// ---------------------------------------------------------------------------
// Errors in plain words

/** Turn an ApiError (or any error) into { message, items } for people. */
export function describeError(err) {
  if (!err) return { message: 'Something went wrong.', items: [] };
  if (err.name === 'AbortError') return { message: 'Cancelled.', items: [] };
  if (err.name !== 'ApiError') return { message: err.message || 'Something went wrong.', items: [] };

  const detail = err.detail && err.detail !== err.title ? err.detail : '';
  const items = [];
  if (err.errors) {
    for (const [fieldName, messages] of Object.entries(err.errors)) {
      for (const m of [].concat(messages)) items.push(fieldName ? `${prettyField(fieldName)}: ${m}` : String(m));
    }
  }

  switch (err.status) {
    case 0:
      return {
        message: err.upload
          ? 'The upload was interrupted. The file may be too large, or the connection dropped. Check your connection and try again.'
          : 'Could not reach Fathom. Check your network connection and try again.',
        items,
      };
    case 400:
    case 422:
      return { message: items.length ? 'Please correct the following:' : (detail || err.title || 'The request was not valid.'), items };
    case 401:
      return { message: 'Please sign in again.', items };
    case 403:
      return { message: `You are not allowed to do that.${detail ? ` ${detail}` : ''}`, items };
    case 404:
      return { message: `Not found — it may have been deleted.${detail ? ` ${detail}` : ''}`, items };
    case 409:
      return { message: detail || err.title || 'That conflicts with something that already exists.', items };
    case 413: {
      // Pick the size limit out of the detail ("… limit is 50 MB", "… exceeds 52428800 bytes").
      const limit = /(\d[\d,.]*)\s*([KMGT]i?B|bytes?)\b/i.exec(detail || '');
      let limitText = limit ? `${limit[1]} ${limit[2]}` : '';
      if (limit && /^bytes?$/i.test(limit[2])) limitText = formatBytes(Number(limit[1].replace(/[,.]/g, '')));
      const head = limit ? `That file is too large (limit ${limitText}).` : 'That file is too large.';
      return { message: detail ? `${head} ${detail}` : head, items };
    }
    case 415:
      return { message: `That file type is not supported.${detail ? ` ${detail}` : ''}`, items };
    case 429: {
      const wait = err.retryAfter;
      const when = wait === null || wait === undefined ? 'in a moment' : `in ${wait} second${wait === 1 ? '' : 's'}`;
      return { message: `Too many requests — try again ${when}.`, items };
    }
    default:
      if (err.status >= 500) {
        return {
          message: `Something went wrong on the server. Please try again.${err.requestId ? ` (Request id ${err.requestId})` : ''}`,
          items,
        };
      }
      return { message: detail || err.title || `Request failed (HTTP ${err.status}).`, items };
  }
}

function prettyField(name) {
  // "settings.chunkSize" → "Chunk size"; "Password" → "Password"
  const last = String(name).split('.').pop().replace(/\[\d+\]/g, '');
  const words = last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Show an error in the alert region. With { form }, validation errors are also
 * placed next to the matching fields (matched by input name, case-insensitive,
 * on the full key or its last dotted segment).
 */
export function showError(err, { form, prefix } = {}) {
  if (err?.name === 'AbortError') return;
  const { message, items } = describeError(err);
  if (form) {
    clearFieldErrors(form);
    if (err?.errors) placeFieldErrors(form, err.errors);
  }
  const region = alertRegion();
  if (!region) return;
  replaceChildren(region,
    h('div', { class: 'alert-body' },
      h('p', { class: 'alert-message' }, prefix ? `${prefix} ${message}` : message),
      items.length ? h('ul', { class: 'alert-items' }, items.map((item) => h('li', {}, item))) : null),
    h('button', { type: 'button', class: 'btn btn-quiet alert-close', testid: 'error-dismiss', 'aria-label': 'Dismiss error', onclick: clearError }, '×'));
}

/** Show a plain message (not from an API error) in the alert region. */
export function showMessageError(message) {
  showError(new Error(message));
}

export function clearError() {
  const region = alertRegion();
  if (region) region.textContent = '';
}

function placeFieldErrors(form, errors) {
  const controls = [...form.elements].filter((el) => el.name);
  for (const [key, messages] of Object.entries(errors)) {
    const wanted = [key.toLowerCase(), key.split('.').pop().toLowerCase()];
    const control = controls.find((el) => wanted.includes(el.name.toLowerCase()));
    if (!control) continue;
    const note = h('p', { class: 'field-error', id: uid('err'), testid: 'field-error', dataset: { field: control.name } },
      [].concat(messages).join(' '));
    const wrapper = control.closest('.field') || control.parentElement;
    wrapper.appendChild(note);
    control.setAttribute('aria-invalid', 'true');
    const described = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', described ? `${described} ${note.id}` : note.id);
  }
}

export function clearFieldErrors(form) {
  for (const note of form.querySelectorAll('.field-error')) {
    const control = form.querySelector(`[aria-describedby~="${note.id}"]`);
    if (control) {
      const rest = control.getAttribute('aria-describedby').split(' ').filter((id) => id !== note.id).join(' ');
      if (rest) control.setAttribute('aria-describedby', rest); else control.removeAttribute('aria-describedby');
      control.removeAttribute('aria-invalid');
    }
    note.remove();
  }
}

/** Show a client-side validation message next to one control (same look as server ones). */
export function fieldError(form, control, message) {
  placeFieldErrors(form, { [control.name]: [message] });
  control.focus();
}

// ---------------------------------------------------------------------------
// Status announcements (polite live region, for success messages and progress)

export function announce(message) {
  const region = statusRegion();
  if (!region) return;
  region.textContent = '';
  // A new text node on the next frame makes screen readers announce repeated messages too.
  requestAnimationFrame(() => { region.textContent = message; });
}

export function clearAnnouncement() {
  const region = statusRegion();
  if (region) region.textContent = '';
}

/** Disable a button while an async action runs. Returns the action's result. */
export async function busy(button, action) {
  const wasDisabled = button.disabled;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } finally {
    button.disabled = wasDisabled;
    button.removeAttribute('aria-busy');
  }
}

// ---------------------------------------------------------------------------
// Dialogs

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Open a modal dialog.
 *   const d = openDialog({ title, body: [nodes], actions: [buttons], testid });
 *   d.close();  d.closed (Promise)
 * Native <dialog>.showModal() makes the page behind inert; we also wrap Tab inside
 * the dialog, close on Escape, and give focus back to what had it before.
 */
export function openDialog({ title, body = [], actions = [], testid, initialFocus, wide = false, onClose }) {
  const previouslyFocused = document.activeElement;
  const titleId = uid('dlg-title');
  const closeButton = h('button', { type: 'button', class: 'btn btn-quiet dialog-close', 'aria-label': 'Close', testid: testid ? `${testid}-close` : 'dialog-close' }, '×');
  const dialog = h('dialog', { class: wide ? 'dialog dialog-wide' : 'dialog', 'aria-labelledby': titleId, testid },
    h('div', { class: 'dialog-head' }, h('h2', { id: titleId }, title), closeButton),
    h('div', { class: 'dialog-body' }, body),
    actions.length ? h('div', { class: 'dialog-actions' }, actions) : null);

  let resolveClosed;
  const closed = new Promise((resolve) => { resolveClosed = resolve; });
  let isClosed = false;

  function close(result) {
    if (isClosed) return;
    isClosed = true;
    if (dialog.open) dialog.close();
    dialog.remove();
    if (previouslyFocused && document.contains(previouslyFocused)) previouslyFocused.focus();
    if (onClose) onClose(result);
    resolveClosed(result);
  }

  closeButton.addEventListener('click', () => close(undefined));
  dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(undefined); }); // Escape
  dialog.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { event.preventDefault(); close(undefined); return; }
    if (event.key !== 'Tab') return;
    const focusables = [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
    if (!focusables.length) return;
    const first = focusables[0];
    const last = focusables[focusables.length - 1];
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      event.preventDefault(); last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault(); first.focus();
    }
  });
  // Click on the backdrop (outside the dialog box) closes it.
  dialog.addEventListener('click', (event) => {
    if (event.target !== dialog) return;
    const r = dialog.getBoundingClientRect();
    const inside = event.clientX >= r.left && event.clientX <= r.right && event.clientY >= r.top && event.clientY <= r.bottom;
    if (!inside) close(undefined);
  });

  document.body.appendChild(dialog);
  dialog.showModal();
  (initialFocus || dialog.querySelector('.dialog-body').querySelector(FOCUSABLE) || closeButton).focus();

  return { dialog, close, closed };
}

/** Ask for confirmation. Resolves true when confirmed. Focus starts on Cancel. */
export function confirmDialog({ title = 'Are you sure?', message, confirmLabel = 'Delete', danger = true } = {}) {
  const cancel = h('button', { type: 'button', class: 'btn', testid: 'confirm-cancel' }, 'Cancel');
  const ok = h('button', { type: 'button', class: danger ? 'btn btn-danger' : 'btn btn-primary', testid: 'confirm-ok' }, confirmLabel);
  const d = openDialog({
    title,
    body: [h('p', {}, message)],
    actions: [cancel, ok],
    testid: 'confirm-dialog',
    initialFocus: cancel,
  });
  cancel.addEventListener('click', () => d.close(false));
  ok.addEventListener('click', () => d.close(true));
  return d.closed.then((result) => result === true);
}

// ---------------------------------------------------------------------------
// Pager

/** Previous/Next pagination for { page, pageSize, total }. onChange(newPage). null when one page. */
export function pager({ page, pageSize, total }, onChange) {
  const pages = Math.max(1, Math.ceil((total || 0) / pageSize));
  if (pages <= 1 && page <= 1) return null; // nothing to page through
  const prev = h('button', { type: 'button', class: 'btn', testid: 'pager-prev', disabled: page <= 1, onclick: () => onChange(page - 1) }, '← Previous');
  const next = h('button', { type: 'button', class: 'btn', testid: 'pager-next', disabled: page >= pages, onclick: () => onChange(page + 1) }, 'Next →');
  return h('nav', { class: 'pager', 'aria-label': 'Pagination' },
    prev,
    h('span', { class: 'pager-info', testid: 'pager-info' }, `Page ${Math.min(page, pages)} of ${pages} · ${total ?? 0} total`),
    next);
}

/** A "Loading…" placeholder. */
export function loading(text = 'Loading…') {
  return h('p', { class: 'muted loading', role: 'status' }, text);
}
