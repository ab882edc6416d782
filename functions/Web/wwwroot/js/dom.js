// Small DOM helpers shared by every page.
//
// The UI never assigns server data to innerHTML. Everything goes through
// h() (which creates text nodes) or safeSnippet() (which only lets <mark> through).

/**
 * Create an element.
 *   h('button', { type: 'button', class: 'btn', onclick: fn, dataset: { testid: 'x' } }, 'Label')
 * Attributes:
 *   class, dataset {...}, on<event> functions, boolean true/false attributes,
 *   anything else via setAttribute. null/undefined/false attributes are skipped.
 * Children: strings, numbers, nodes, arrays (nested), null/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  let initialValue;
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'testid') el.dataset.testid = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' && 'value' in el) initialValue = value; // set after children (a <select> needs its options first)
    else if (key === 'checked') el.defaultChecked = el.checked = Boolean(value); // default* so form.reset() restores it
    else if (key === 'selected' || key === 'disabled' || key === 'required' || key === 'multiple') el[key] = Boolean(value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  if (initialValue !== undefined) setInitialValue(el, initialValue);
  return el;
}

/** Set a control's value and make it the default, so form.reset() goes back to it. */
function setInitialValue(el, value) {
  if (el instanceof HTMLSelectElement) {
    for (const option of el.options) option.defaultSelected = option.value === String(value);
  } else if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    el.defaultValue = value;
  }
  el.value = value;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Remove every child of el, then append the given children. */
export function replaceChildren(el, ...children) {
  el.textContent = '';
  append(el, children);
  return el;
}

// ---------------------------------------------------------------------------
// Safe snippet rendering.
//
// The search API returns snippets where only <mark> and </mark> are meant to be
// HTML and the rest is HTML-escaped. We don't trust that blindly: we split the
// string on the exact tags "<mark>" / "</mark>", decode the entities in the text
// pieces, and build text nodes + <mark> elements. Anything else that looks like
// a tag ends up as visible text, never as markup.

const NAMED_ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decode the HTML entities a server-side HTML encoder produces. Unknown ones stay as typed. */
export function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      // Reject invalid code points and NUL rather than throwing.
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
      return String.fromCodePoint(code);
    }
    const decoded = NAMED_ENTITIES[name.toLowerCase()];
    return decoded === undefined ? whole : decoded;
  });
}

/** Build a DocumentFragment from a snippet, allowing only <mark>…</mark>. */
export function safeSnippet(snippet) {
  const fragment = document.createDocumentFragment();
  const parts = String(snippet ?? '').split(/(<mark>|<\/mark>)/i);
  let mark = null; // the open <mark>, if any
  for (const part of parts) {
    if (/^<mark>$/i.test(part)) {
      if (!mark) { mark = document.createElement('mark'); fragment.appendChild(mark); }
    } else if (/^<\/mark>$/i.test(part)) {
      mark = null;
    } else if (part) {
      (mark || fragment).appendChild(document.createTextNode(decodeEntities(part)));
    }
  }
  return fragment;
}

// ---------------------------------------------------------------------------
// Formatting

export function formatDate(value) {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDay(value) {
  if (!value) return '—';
  const day = String(value).slice(0, 10);
  const date = new Date(`${day}T00:00:00`);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined || Number.isNaN(Number(bytes))) return '—';
  const units = ['B', 'KB', 'MB', 'GB'];
  let n = Number(bytes);
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) { n /= 1024; unit++; }
  return `${unit === 0 ? n : n.toFixed(1)} ${units[unit]}`;
}

/** Read the hash query (#/path?x=1) of the current location. */
export function hashQuery() {
  const hash = location.hash || '';
  const i = hash.indexOf('?');
  return new URLSearchParams(i >= 0 ? hash.slice(i + 1) : '');
}

/** Unique ids for label/for, aria-describedby, etc. */
let idCounter = 0;
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/**
 * A labelled form field: <div class="field"><label>…</label><input …><p hint></p></div>.
 * Returns the wrapper; the control is wrapper.control.
 */
export function field(label, control, hint) {
  if (!control.id) control.id = uid('f');
  const children = [h('label', { for: control.id }, label), control];
  if (hint) {
    const hintEl = h('p', { class: 'hint', id: uid('hint') }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
    children.push(hintEl);
  }
  const wrapper = h('div', { class: 'field' }, children);
  wrapper.control = control;
  return wrapper;
}

/** Read a form's controls into a plain object keyed by name (checkbox → boolean). */
export function formValues(form) {
  const values = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') {
      // Several checkboxes with one name → array of checked values.
      const group = form.querySelectorAll(`input[type=checkbox][name="${CSS.escape(el.name)}"]`);
      if (group.length > 1) {
        values[el.name] = values[el.name] || [];
        if (el.checked) values[el.name].push(el.value);
      } else values[el.name] = el.checked;
    } else if (el.type === 'radio') {
      if (el.checked) values[el.name] = el.value;
    } else values[el.name] = el.value;
  }
  return values;
}
