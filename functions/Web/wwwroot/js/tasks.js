// Tasks: list (status filter, due-before filter, paging), create,
// edit status / due date in place, edit title & description, delete.

import { h, field, replaceChildren, formatDate } from './dom.js';
import { api } from './api.js';
import { showError, clearError, clearFieldErrors, fieldError, announce, busy, confirmDialog, openDialog, pager, loading } from './ui.js';

const PAGE_SIZE = 20;
const STATUSES = [['todo', 'To do'], ['in_progress', 'In progress'], ['done', 'Done']];

/** The API may send a date or a date-time; <input type=date> wants YYYY-MM-DD. */
const toDateInput = (value) => (value ? String(value).slice(0, 10) : '');

function statusSelect(attrs, selected) {
  return h('select', { ...attrs, value: selected }, STATUSES.map(([value, label]) => h('option', { value }, label)));
}

export async function tasksPage({ view, signal }) {
  let page = 1;
  let status = '';
  let dueBefore = '';
  const listArea = h('div', { testid: 'tasks-list' }, loading());

  // ---- filters
  const statusFilter = h('select', { name: 'status', testid: 'tasks-status-filter' },
    h('option', { value: '' }, 'All'), STATUSES.map(([value, label]) => h('option', { value }, label)));
  const dueFilter = h('input', { type: 'date', name: 'dueBefore', testid: 'tasks-due-filter' });
  statusFilter.addEventListener('change', () => { status = statusFilter.value; page = 1; load(); });
  dueFilter.addEventListener('change', () => { dueBefore = dueFilter.value; page = 1; load(); });
  const filters = h('form', { class: 'filters', 'aria-label': 'Filter tasks', onsubmit: (e) => e.preventDefault() },
    field('Status', statusFilter), field('Due before', dueFilter));

  // ---- create
  const title = h('input', { type: 'text', name: 'title', required: true, maxlength: 200, testid: 'new-task-title' });
  const description = h('textarea', { name: 'description', rows: 2, testid: 'new-task-description' });
  const newStatus = statusSelect({ name: 'status', testid: 'new-task-status' }, 'todo');
  const due = h('input', { type: 'date', name: 'dueDate', testid: 'new-task-due' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'new-task-submit' }, 'Add task');
  const form = h('form', { class: 'card form', testid: 'new-task-form', novalidate: true },
    h('h2', {}, 'New task'),
    field('Title', title),
    field('Description (optional)', description),
    h('div', { class: 'grid-2' }, field('Status', newStatus), field('Due date (optional)', due)),
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError();
    clearFieldErrors(form);
    const t = title.value.trim();
    if (!t) return fieldError(form, title, 'Give the task a title.');
    if (t.length > 200) return fieldError(form, title, 'Keep the title to 200 characters.');
    try {
      await busy(submit, () => api.post('/api/tasks', {
        title: t,
        description: description.value.trim() || undefined,
        status: newStatus.value,
        dueDate: due.value || undefined,
      }));
      announce(`Task “${t}” added.`);
      form.reset();
      newStatus.value = 'todo';
      title.focus();
      page = 1;
      await load();
    } catch (err) {
      showError(err, { form });
    }
  });

  // ---- list
  let loadSeq = 0;
  async function load() {
    const seq = ++loadSeq;
    try {
      const data = await api.get('/api/tasks', { page, pageSize: PAGE_SIZE, status, dueBefore }, { signal });
      if (signal.aborted || seq !== loadSeq) return;
      if (!data.items.length && page > 1 && data.total > 0) { page -= 1; return load(); }
      render(data);
    } catch (err) {
      if (!signal.aborted) { showError(err); replaceChildren(listArea, h('p', { class: 'muted' }, 'Could not load tasks.')); }
    }
  }

  function render(data) {
    if (!data.items.length) {
      replaceChildren(listArea, h('p', { class: 'empty' }, status || dueBefore ? 'No tasks match the filter.' : 'No tasks yet.'));
      return;
    }
    replaceChildren(listArea,
      h('div', { class: 'table-wrap' },
        h('table', { class: 'table stack' },
          h('caption', { class: 'visually-hidden' }, 'Your tasks'),
          h('thead', {}, h('tr', {}, ['Task', 'Status', 'Due', 'Updated', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, data.items.map(taskRow)))),
      pager(data, (p) => { page = p; load(); }));
  }

  function taskRow(task) {
    const patch = async (changes, control, message) => {
      try {
        control.disabled = true;
        await api.patch(`/api/tasks/${encodeURIComponent(task.id)}`, changes);
        Object.assign(task, changes);
        row.dataset.status = task.status;
        announce(message);
      } catch (err) {
        showError(err);
        await load(); // put the row back as the server has it
      } finally {
        control.disabled = false;
      }
    };

    const statusControl = statusSelect({ name: 'status', testid: 'task-status', 'aria-label': `Status of ${task.title}` }, task.status);
    statusControl.addEventListener('change', () => patch({ status: statusControl.value }, statusControl,
      `“${task.title}” is now ${STATUSES.find(([v]) => v === statusControl.value)?.[1] ?? statusControl.value}.`));
    const dueControl = h('input', { type: 'date', name: 'dueDate', value: toDateInput(task.dueDate), testid: 'task-due', 'aria-label': `Due date of ${task.title}` });
    dueControl.addEventListener('change', () => patch(dueControl.value ? { dueDate: dueControl.value } : { clearDueDate: true }, dueControl,
      dueControl.value ? `“${task.title}” is due ${dueControl.value}.` : `“${task.title}” has no due date now.`));

    const edit = h('button', { type: 'button', class: 'btn btn-small', testid: 'task-edit', 'aria-label': `Edit ${task.title}` }, 'Edit');
    edit.addEventListener('click', () => editTask(task));
    const del = h('button', { type: 'button', class: 'btn btn-small btn-danger', testid: 'task-delete', 'aria-label': `Delete ${task.title}` }, 'Delete');
    del.addEventListener('click', async () => {
      if (!await confirmDialog({ title: 'Delete this task?', message: `“${task.title}” will be deleted.`, confirmLabel: 'Delete task' })) return;
      try {
        await busy(del, () => api.del(`/api/tasks/${encodeURIComponent(task.id)}`));
        announce(`Task “${task.title}” deleted.`);
        await load();
      } catch (err) { showError(err); }
    });

    const row = h('tr', { testid: 'task-row', dataset: { id: task.id, status: task.status } },
      h('td', { 'data-label': 'Task' }, h('strong', {}, task.title), task.description ? h('p', { class: 'muted small pre' }, task.description) : null),
      h('td', { 'data-label': 'Status' }, statusControl),
      h('td', { 'data-label': 'Due' }, dueControl),
      h('td', { 'data-label': 'Updated' }, formatDate(task.updatedAt || task.createdAt)),
      h('td', { 'data-label': 'Actions', class: 'actions' }, edit, del));
    return row;
  }

  function editTask(task) {
    const t = h('input', { type: 'text', name: 'title', required: true, maxlength: 200, value: task.title, testid: 'edit-task-title' });
    const d = h('textarea', { name: 'description', rows: 4, value: task.description || '', testid: 'edit-task-description' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'edit-task-submit' }, 'Save');
    const editForm = h('form', { class: 'form', novalidate: true, testid: 'edit-task-form' },
      field('Title', t), field('Description', d), h('div', { class: 'form-actions' }, save));
    const dialog = openDialog({ title: 'Edit task', body: [editForm], testid: 'task-dialog' });
    editForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldErrors(editForm);
      if (!t.value.trim()) return fieldError(editForm, t, 'Give the task a title.');
      try {
        await busy(save, () => api.patch(`/api/tasks/${encodeURIComponent(task.id)}`, { title: t.value.trim(), description: d.value.trim() }));
        dialog.close();
        announce('Task saved.');
        await load();
      } catch (err) {
        showError(err, { form: editForm });
      }
    });
  }

  view.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Tasks')),
    form,
    h('h2', {}, 'Your tasks'),
    filters,
    listArea);
  await load();
}
