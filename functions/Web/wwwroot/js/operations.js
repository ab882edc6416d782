// Operations (administrators only): GET /api/operations and /api/operations/dead-letters,
// POST /api/operations/dead-letters/{id}/retry. Anyone else gets a 403 and a plain sentence.
// Charts are small inline SVG polylines: one per figure, sixty points (one per minute).

import { h, replaceChildren, formatDate } from './dom.js';
import { api } from './api.js';
import { showError, announce, busy, loading } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const REFRESH_MS = 10_000;

export async function operationsPage({ view, signal }) {
  const area = h('div', {}, loading());
  view.append(h('h1', {}, 'Operations'), area);

  const refresh = async () => {
    let snapshot;
    let deadLetters;
    try {
      [snapshot, deadLetters] = await Promise.all([
        api.get('/api/operations', null, { signal }),
        api.get('/api/operations/dead-letters', null, { signal }),
      ]);
    } catch (err) {
      if (signal.aborted) return false;
      if (err.status === 403) {
        replaceChildren(area, h('p', { class: 'muted', testid: 'operations-forbidden' },
          'This page is for administrators. Ask one to add your e-mail address to the setting Operations__Administrators.'));
        return false;
      }
      showError(err);
      return true;
    }
    if (!signal.aborted) replaceChildren(area, render(snapshot, deadLetters, refresh));
    return true;
  };

  if (await refresh()) {
    const timer = setInterval(refresh, REFRESH_MS);
    signal.addEventListener('abort', () => clearInterval(timer));
  }
}

function render(snapshot, deadLetters, refresh) {
  return h('div', { class: 'operations' },
    appsSection(snapshot),
    backlogSection(snapshot),
    chartsSection(snapshot.lastHour),
    deadLettersSection(deadLetters, refresh));
}

function appsSection(snapshot) {
  const rows = snapshot.apps.map((app) =>
    h('tr', { testid: 'ops-app', 'data-app': app.name, 'data-state': app.state },
      h('th', { scope: 'row' }, app.name),
      h('td', {}, h('span', { class: `state state-${app.state.replace(/\s+/g, '-')}`, testid: 'ops-app-state' }, app.state)),
      h('td', { testid: 'ops-app-reason' }, app.reason || '')));
  return h('section', { class: 'card', 'aria-labelledby': 'ops-apps' },
    h('h2', { id: 'ops-apps' }, 'Apps'),
    snapshot.appsUnavailable
      ? h('p', { class: 'muted', testid: 'ops-apps-unavailable' }, snapshot.appsUnavailable)
      : h('table', { class: 'table', testid: 'ops-apps-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'App'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'Reason'))),
        h('tbody', {}, rows)));
}

function backlogSection({ ingest, deadLetters }) {
  return h('section', { class: 'card', 'aria-labelledby': 'ops-backlog' },
    h('h2', { id: 'ops-backlog' }, 'Ingestion stream'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Stream'), h('dd', {}, `${ingest.stream} (group ${ingest.group})`),
      h('dt', {}, 'Entries'), h('dd', { testid: 'ops-length' }, String(ingest.length)),
      h('dt', {}, 'Lag (not yet delivered)'), h('dd', { testid: 'ops-lag' }, String(ingest.lag)),
      h('dt', {}, 'Pending (delivered, not acknowledged)'), h('dd', { testid: 'ops-pending' }, String(ingest.pending)),
      h('dt', {}, 'Dead letters'), h('dd', { testid: 'ops-dead-count' }, String(deadLetters))));
}

function chartsSection(minutes) {
  const ingested = minutes.map((m) => m.documentsIngested);
  const latency = minutes.map((m) => m.searchMeanMs);
  const total = ingested.reduce((a, b) => a + b, 0);
  const searches = minutes.reduce((a, m) => a + m.searches, 0);
  const measured = latency.filter((v) => v !== null);
  const mean = measured.length ? (measured.reduce((a, b) => a + b, 0) / measured.length).toFixed(1) : '–';
  return h('section', { class: 'card', 'aria-labelledby': 'ops-hour' },
    h('h2', { id: 'ops-hour' }, 'The last hour'),
    h('div', { class: 'charts' },
      chart('Documents ingested per minute', `${total} in the hour`, ingested, 'ops-chart-throughput'),
      chart('Search latency, mean ms per minute', `${searches} searches, ${mean} ms`, latency, 'ops-chart-latency')));
}

/** A 60-point line over a 240×60 box; null values are gaps. */
function chart(title, summary, values, testid) {
  const width = 240;
  const height = 60;
  const peak = Math.max(0, ...values.filter((v) => v !== null));
  const max = Math.max(1, peak); // a flat zero line sits on the bottom, not in the middle
  const x = (i) => (i * width) / Math.max(1, values.length - 1);
  const y = (v) => height - 2 - (v / max) * (height - 4);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${title}: ${summary}, peak ${peak}`);
  let segment = [];
  const flush = () => {
    if (segment.length) {
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('points', segment.join(' '));
      svg.appendChild(line);
    }
    segment = [];
  };
  values.forEach((v, i) => (v === null ? flush() : segment.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`)));
  flush();
  return h('figure', { class: 'chart', testid },
    svg,
    h('figcaption', {}, h('strong', {}, title), h('br'), h('span', { class: 'muted' }, `${summary} · peak ${peak}`)));
}

function deadLettersSection(list, refresh) {
  const rows = list.items.map((item) => {
    const retry = h('button', { type: 'button', class: 'btn', testid: 'ops-dead-retry' }, 'Retry');
    retry.addEventListener('click', async () => {
      try {
        await busy(retry, () => api.post(`/api/operations/dead-letters/${encodeURIComponent(item.id)}/retry`, {}));
        announce('Put back on the ingestion stream.');
      } catch (err) {
        // Already retried (a second click, another administrator): the list below shows the truth.
        if (err.status !== 404) showError(err);
      }
      await refresh();
    });
    return h('tr', { testid: 'ops-dead-letter', 'data-id': item.id },
      h('td', {}, formatDate(item.deadAt)),
      h('td', {}, item.documentId || '—'),
      h('td', {}, String(item.deliveries)),
      h('td', { testid: 'ops-dead-error' }, item.error || ''),
      h('td', {}, retry));
  });
  return h('section', { class: 'card', 'aria-labelledby': 'ops-dead' },
    h('h2', { id: 'ops-dead' }, `Dead letters (${list.total})`),
    list.items.length === 0
      ? h('p', { class: 'muted', testid: 'ops-dead-empty' }, 'No dead letters.')
      : h('table', { class: 'table', testid: 'ops-dead-table' },
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Died'), h('th', { scope: 'col' }, 'Document'), h('th', { scope: 'col' }, 'Deliveries'),
          h('th', { scope: 'col' }, 'Error'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Action')))),
        h('tbody', {}, rows)));
}
