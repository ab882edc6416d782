// Entry point: hash router, navigation bar, and session handling.
//
// Routing: hash based (#/collections/abc/search). The server always serves
// index.html, and with the hash the document URL never changes, so relative
// asset paths and reloads just work.
//
// A page module exports a function render(ctx) where ctx is
//   { view, params, query, signal, navigate, setTitle, flash }
// `view` is an empty <div> to fill; `signal` aborts when the user leaves the page
// (stop timers, ignore late responses). render may be async.

import { h, replaceChildren } from './dom.js';
import { isSignedIn, signOut } from './api.js';
import { clearError, clearAnnouncement, showMessageError, announce } from './ui.js';
import { signInPage, signUpPage } from './auth.js';
import { keysPage } from './keys.js';
import { collectionsPage } from './collections.js';
import { documentsPage } from './documents.js';
import { searchPage } from './search.js';
import { askPage } from './ask.js';
import { postsPage } from './posts.js';
import { tasksPage } from './tasks.js';
import { profilePage } from './profile.js';
import { operationsPage } from './operations.js';

const routes = [
  { path: '/signin', render: signInPage, title: 'Sign in', public: true },
  { path: '/signup', render: signUpPage, title: 'Sign up', public: true },
  { path: '/collections', render: collectionsPage, title: 'Collections', nav: 'collections' },
  { path: '/collections/:id', render: documentsPage, title: 'Documents', nav: 'collections' },
  { path: '/collections/:id/search', render: searchPage, title: 'Search', nav: 'collections' },
  { path: '/collections/:id/ask', render: askPage, title: 'Ask', nav: 'collections' },
  { path: '/posts', render: postsPage, title: 'Posts', nav: 'posts' },
  { path: '/tasks', render: tasksPage, title: 'Tasks', nav: 'tasks' },
  { path: '/keys', render: keysPage, title: 'API keys', nav: 'keys' },
  { path: '/profile', render: profilePage, title: 'Profile', nav: 'profile' },
  { path: '/operations', render: operationsPage, title: 'Operations', nav: 'operations' },
];

const navLinks = {
  signedIn: [
    ['collections', 'Collections', '#/collections'],
    ['posts', 'Posts', '#/posts'],
    ['tasks', 'Tasks', '#/tasks'],
    ['keys', 'API keys', '#/keys'],
    ['profile', 'Profile', '#/profile'],
    ['operations', 'Operations', '#/operations'],
  ],
  signedOut: [
    ['signin', 'Sign in', '#/signin'],
    ['signup', 'Sign up', '#/signup'],
  ],
};

// ---------------------------------------------------------------------------
// Router

/** Match "/collections/42/search" against "/collections/:id/search". */
function match(pattern, path) {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      try { params[p[i].slice(1)] = decodeURIComponent(s[i]); } catch { return null; }
    } else if (p[i] !== s[i]) return null;
  }
  return params;
}

function currentLocation() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, qs = ''] = hash.split('?');
  return { path: path || '/', query: new URLSearchParams(qs), full: hash };
}

export function navigate(to, { replace = false } = {}) {
  const hash = to.startsWith('#') ? to : `#${to}`;
  if (replace) {
    history.replaceState(null, '', hash);
    route();
  } else if (location.hash === hash) {
    route();
  } else {
    location.hash = hash; // triggers hashchange → route()
  }
}

let leaveCurrent = null;     // AbortController of the page on screen
let flash = null;            // { error } or { notice } to show after the next render
let firstRender = true;

/** Show a message after the next page render (route changes clear messages). */
export function flashAfterNavigation(message) {
  flash = message;
}

async function route() {
  const { path, query, full } = currentLocation();
  if (!full.startsWith('/')) return; // e.g. "#main" from the skip link: not a route

  if (path === '/') {
    navigate(isSignedIn() ? '/collections' : '/signin', { replace: true });
    return;
  }

  let found = null;
  let params = {};
  for (const r of routes) {
    const m = match(r.path, path);
    if (m) { found = r; params = m; break; }
  }

  if (found && !found.public && !isSignedIn()) {
    navigate(`/signin?next=${encodeURIComponent(full)}`, { replace: true });
    return;
  }
  if (found?.public && isSignedIn() && (path === '/signin' || path === '/signup')) {
    navigate('/collections', { replace: true });
    return;
  }

  if (leaveCurrent) leaveCurrent.abort();
  const controller = new AbortController();
  leaveCurrent = controller;

  clearError();
  clearAnnouncement();
  renderNav(found?.nav || (path === '/signin' ? 'signin' : path === '/signup' ? 'signup' : ''));
  closeMobileNav();

  const main = document.getElementById('main');
  const view = h('div', { class: 'view' });
  replaceChildren(main, view);
  const setTitle = (title) => { document.title = title ? `${title} · Fathom` : 'Fathom'; };
  setTitle(found?.title);

  if (!found) {
    view.append(
      h('h1', { tabindex: '-1' }, 'Page not found'),
      h('p', {}, 'There is nothing at this address. ', h('a', { href: '#/' }, 'Go to the start page'), '.'));
  } else {
    try {
      await found.render({ view, params, query, signal: controller.signal, navigate, setTitle, flash: flashAfterNavigation });
    } catch (err) {
      if (!controller.signal.aborted) {
        console.error(err);
        showMessageError('This page failed to load. Try reloading it.');
      }
    }
  }
  if (controller.signal.aborted) return;

  if (flash) {
    if (flash.error) showMessageError(flash.error);
    if (flash.notice) announce(flash.notice);
    flash = null;
  }
  // Move focus to the page heading so keyboard and screen-reader users start at the top.
  if (!firstRender) {
    const heading = view.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: false });
    }
  }
  firstRender = false;
}

// ---------------------------------------------------------------------------
// Navigation bar

function renderNav(active) {
  const nav = document.getElementById('site-nav');
  const signedIn = isSignedIn();
  const links = (signedIn ? navLinks.signedIn : navLinks.signedOut).map(([key, label, href]) =>
    h('li', {}, h('a', { href, testid: `nav-${key}`, 'aria-current': key === active ? 'page' : null }, label)));
  if (signedIn) {
    links.push(h('li', {}, h('button', { type: 'button', class: 'btn btn-quiet', testid: 'signout', onclick: onSignOut }, 'Sign out')));
  }
  replaceChildren(nav, h('ul', {}, links));
}

async function onSignOut(event) {
  event.currentTarget.disabled = true;
  await signOut();
  flashAfterNavigation({ notice: 'You are signed out.' });
  navigate('/signin');
}

function closeMobileNav() {
  const toggle = document.getElementById('nav-toggle');
  toggle.setAttribute('aria-expanded', 'false');
  document.getElementById('site-nav').classList.remove('open');
}

function setupNavToggle() {
  const toggle = document.getElementById('nav-toggle');
  const nav = document.getElementById('site-nav');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    nav.classList.toggle('open', open);
    if (open) nav.querySelector('a, button')?.focus();
  });
  nav.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && nav.classList.contains('open')) {
      closeMobileNav();
      toggle.focus();
    }
  });
}

// ---------------------------------------------------------------------------
// Start

function start() {
  setupNavToggle();

  // The skip link must not change the hash (that is the router's).
  document.querySelector('[data-skip]')?.addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main').focus();
  });

  // api.js fires this when a refresh failed: the session is over.
  window.addEventListener('fathom:session-expired', () => {
    const { path, full } = currentLocation();
    if (path === '/signin' || path === '/signup') return;
    flashAfterNavigation({ error: 'Please sign in again.' });
    navigate(`/signin?next=${encodeURIComponent(full)}`);
  });

  window.addEventListener('hashchange', route);
  route();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
