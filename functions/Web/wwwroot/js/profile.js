// Profile: GET / PATCH /api/users/me (display name and bio; email is read-only).

import { h, field, replaceChildren, formatDate } from './dom.js';
import { api } from './api.js';
import { showError, clearError, clearFieldErrors, fieldError, announce, busy, loading } from './ui.js';

export async function profilePage({ view, signal }) {
  const area = h('div', {}, loading());
  view.append(h('h1', {}, 'Your profile'), area);

  let me;
  try {
    me = await api.get('/api/users/me', null, { signal });
  } catch (err) {
    if (!signal.aborted) { showError(err); replaceChildren(area, h('p', { class: 'muted' }, 'Could not load your profile.')); }
    return;
  }

  const displayName = h('input', { type: 'text', name: 'displayName', required: true, maxlength: 100, autocomplete: 'name', value: me.displayName || '', testid: 'profile-display-name' });
  const bio = h('textarea', { name: 'bio', rows: 5, maxlength: 2000, value: me.bio || '', testid: 'profile-bio' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'profile-submit' }, 'Save profile');
  const form = h('form', { class: 'card form narrow', testid: 'profile-form', novalidate: true },
    h('dl', { class: 'facts' },
      h('dt', {}, 'Email'), h('dd', { testid: 'profile-email' }, me.email || '—'),
      h('dt', {}, 'Member since'), h('dd', {}, formatDate(me.createdAt))),
    field('Display name', displayName),
    field('Bio', bio, 'Shown on your public profile.'),
    h('div', { class: 'form-actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    clearFieldErrors(form);
    if (!displayName.value.trim()) return fieldError(form, displayName, 'Your display name cannot be empty.');
    try {
      me = await busy(submit, () => api.patch('/api/users/me', { displayName: displayName.value.trim(), bio: bio.value }));
      displayName.value = me?.displayName ?? displayName.value;
      bio.value = me?.bio ?? bio.value;
      announce('Profile saved.');
    } catch (err) {
      showError(err, { form });
    }
  });

  replaceChildren(area, form);
}
