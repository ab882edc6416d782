// Posts: list (paging, sort, full-text search), create, edit, publish toggle,
// delete, and "index into collection".

import { h, field, replaceChildren, formatDate } from './dom.js';
import { api, currentUserId } from './api.js';
import { showError, clearError, clearFieldErrors, fieldError, announce, busy, confirmDialog, openDialog, pager, loading } from './ui.js';

const PAGE_SIZE = 10;

export async function postsPage({ view, signal }) {
  let page = 1;
  let sort = '-createdAt';
  let q = '';
  let myId = currentUserId();
  const listArea = h('div', { testid: 'posts-list' }, loading());

  // Who am I? (to know which posts I may edit). The token's "sub" is a first guess.
  api.get('/api/users/me', null, { signal }).then((me) => { if (me?.id && me.id !== myId) { myId = me.id; load(); } }).catch(() => {});

  // ---- toolbar
  const search = h('input', { type: 'search', name: 'q', testid: 'posts-search', placeholder: 'Words in the title or body' });
  const sortSelect = h('select', { name: 'sort', testid: 'posts-sort', value: sort },
    h('option', { value: '-createdAt' }, 'Newest first'),
    h('option', { value: 'createdAt' }, 'Oldest first'),
    h('option', { value: 'title' }, 'Title A–Z'));
  const toolbar = h('form', { class: 'filters', role: 'search', 'aria-label': 'Find posts', testid: 'posts-filter' },
    field('Search posts', search), field('Sort', sortSelect),
    h('button', { type: 'submit', class: 'btn', testid: 'posts-search-submit' }, 'Search'));
  toolbar.addEventListener('submit', (e) => { e.preventDefault(); q = search.value.trim(); page = 1; load(); });
  sortSelect.addEventListener('change', () => { sort = sortSelect.value; page = 1; load(); });

  // ---- create
  const createForm = postForm({
    testid: 'new-post-form',
    submitLabel: 'Create post',
    async onSubmit(values) {
      const created = await api.post('/api/posts', values);
      announce(`Post “${created?.title ?? values.title}” created.`);
      createDetails.open = false;
      page = 1;
      await load();
    },
  });
  const createDetails = h('details', { class: 'card disclosure', testid: 'new-post' },
    h('summary', { testid: 'new-post-toggle' }, 'New post'), createForm);

  // ---- list
  let loadSeq = 0;
  async function load() {
    const seq = ++loadSeq;
    try {
      const data = await api.get('/api/posts', { page, pageSize: PAGE_SIZE, sort, q }, { signal });
      if (signal.aborted || seq !== loadSeq) return;
      if (!data.items.length && page > 1 && data.total > 0) { page -= 1; return load(); }
      render(data);
    } catch (err) {
      if (!signal.aborted) { showError(err); replaceChildren(listArea, h('p', { class: 'muted' }, 'Could not load posts.')); }
    }
  }

  function render(data) {
    if (!data.items.length) {
      replaceChildren(listArea, h('p', { class: 'empty' }, q ? 'No posts match your search.' : 'No posts yet.'));
      return;
    }
    replaceChildren(listArea,
      h('ul', { class: 'cards' }, data.items.map(postCard)),
      pager(data, (p) => { page = p; load(); }));
  }

  function postCard(post) {
    const mine = myId && post.authorId === myId;
    const excerpt = (post.body || '').length > 280 ? `${post.body.slice(0, 280)}…` : post.body || '';
    const actions = [];
    if (mine) {
      const edit = h('button', { type: 'button', class: 'btn btn-small', testid: 'post-edit' }, 'Edit');
      edit.addEventListener('click', () => editPost(post));
      const toggle = h('button', { type: 'button', class: 'btn btn-small', testid: 'post-publish-toggle', 'aria-pressed': String(Boolean(post.published)) },
        post.published ? 'Unpublish' : 'Publish');
      toggle.addEventListener('click', async () => {
        try {
          await busy(toggle, () => api.patch(`/api/posts/${encodeURIComponent(post.id)}`, { published: !post.published }));
          announce(post.published ? `“${post.title}” is a draft again.` : `“${post.title}” is published.`);
          await load();
        } catch (err) { showError(err); }
      });
      const index = h('button', { type: 'button', class: 'btn btn-small', testid: 'post-index' }, 'Index into collection…');
      index.addEventListener('click', () => indexPost(post));
      const del = h('button', { type: 'button', class: 'btn btn-small btn-danger', testid: 'post-delete' }, 'Delete');
      del.addEventListener('click', async () => {
        if (!await confirmDialog({ title: 'Delete this post?', message: `“${post.title}” will be deleted. This cannot be undone.`, confirmLabel: 'Delete post' })) return;
        try {
          await busy(del, () => api.del(`/api/posts/${encodeURIComponent(post.id)}`));
          announce(`Post “${post.title}” deleted.`);
          await load();
        } catch (err) { showError(err); }
      });
      actions.push(edit, toggle, index, del);
    }
    return h('li', { class: 'card post', testid: 'post-row', dataset: { id: post.id, published: String(Boolean(post.published)), mine: String(Boolean(mine)) } },
      h('div', { class: 'post-head' },
        h('h2', { class: 'post-title' }, post.title),
        h('span', { class: post.published ? 'badge badge-ok' : 'badge badge-muted' }, post.published ? 'Published' : 'Draft')),
      h('p', { class: 'muted small' }, `${mine ? 'You' : 'Someone else'} · ${formatDate(post.createdAt)}${post.updatedAt && post.updatedAt !== post.createdAt ? ` · edited ${formatDate(post.updatedAt)}` : ''}`),
      h('p', { class: 'post-body' }, excerpt),
      actions.length ? h('div', { class: 'actions' }, actions) : null);
  }

  function editPost(post) {
    let dialog;
    const form = postForm({
      testid: 'edit-post-form',
      submitLabel: 'Save changes',
      initial: post,
      async onSubmit(values) {
        await api.patch(`/api/posts/${encodeURIComponent(post.id)}`, values);
        dialog.close();
        announce(`Post “${values.title}” saved.`);
        await load();
      },
    });
    dialog = openDialog({ title: 'Edit post', body: [form], testid: 'post-dialog', wide: true });
  }

  async function indexPost(post) {
    const select = h('select', { name: 'collectionId', required: true, testid: 'post-index-collection' }, h('option', { value: '' }, 'Loading collections…'));
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'post-index-submit' }, 'Index');
    const form = h('form', { class: 'form', novalidate: true },
      h('p', {}, `“${post.title}” becomes a document of the collection you pick; it is indexed in the background.`),
      field('Collection', select),
      h('div', { class: 'form-actions' }, submit));
    const dialog = openDialog({ title: 'Index into collection', body: [form], testid: 'post-index-dialog' });
    try {
      const data = await api.get('/api/collections', { page: 1, pageSize: 100 });
      replaceChildren(select, h('option', { value: '' }, data.items.length ? 'Choose…' : 'You have no collections'),
        data.items.map((c) => h('option', { value: c.id }, c.name)));
    } catch (err) {
      dialog.close();
      showError(err);
      return;
    }
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      if (!select.value) return fieldError(form, select, 'Pick a collection.');
      const name = select.selectedOptions[0].textContent;
      try {
        await busy(submit, () => api.post(`/api/posts/${encodeURIComponent(post.id)}/index`, { collectionId: select.value }));
        dialog.close();
        announce(`“${post.title}” is queued for indexing into “${name}”.`);
      } catch (err) {
        showError(err, { form });
      }
    });
  }

  view.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Posts'), h('p', { class: 'muted' }, 'Published posts from everyone, plus your drafts.')),
    createDetails,
    toolbar,
    listArea);
  await load();
}

/** Title / body / published form, used for create and edit. */
function postForm({ testid, submitLabel, initial = {}, onSubmit }) {
  const title = h('input', { type: 'text', name: 'title', required: true, maxlength: 200, value: initial.title || '', testid: `${testid}-title` });
  const body = h('textarea', { name: 'body', rows: 8, value: initial.body || '', testid: `${testid}-body` });
  const published = h('input', { type: 'checkbox', name: 'published', checked: Boolean(initial.published), testid: `${testid}-published` });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: `${testid}-submit` }, submitLabel);
  const form = h('form', { class: 'form', testid, novalidate: true },
    field('Title', title),
    field('Body', body),
    h('div', { class: 'field' }, h('label', { class: 'check' }, published, ' Published (visible to everyone)')),
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    clearFieldErrors(form);
    if (!title.value.trim()) return fieldError(form, title, 'Give the post a title.');
    try {
      await busy(submit, () => onSubmit({ title: title.value.trim(), body: body.value, published: published.checked }));
      if (!initial.id) form.reset();
    } catch (err) {
      showError(err, { form });
    }
  });
  return form;
}
