// Everything that talks to the Fathom HTTP API (docs/api.md) goes through this module:
//   - tokens (kept in sessionStorage: they die with the tab, and each tab refreshes its own
//     token family, so two tabs never race to spend the same refresh token),
//   - one silent refresh on a 401, then "please sign in again",
//   - RFC 7807 problem+json → ApiError,
//   - uploads with progress (XMLHttpRequest, because fetch has no upload progress).

const STORAGE_KEY = 'fathom.auth';

// ---------------------------------------------------------------------------
// Tokens

export function getTokens() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY)) || null;
  } catch {
    return null;
  }
}

function setTokens(tokens) {
  if (tokens) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
  else sessionStorage.removeItem(STORAGE_KEY);
  window.dispatchEvent(new CustomEvent('fathom:auth-changed', { detail: { signedIn: Boolean(tokens) } }));
}

export function isSignedIn() {
  return Boolean(getTokens()?.accessToken);
}

/** The user id ("sub" claim) of the access token, if it is a JWT. Display only, never trusted. */
export function currentUserId() {
  const token = getTokens()?.accessToken;
  if (!token || token.split('.').length !== 3) return null;
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)).sub ?? null;
  } catch {
    return null;
  }
}

function storeLoginResponse(body) {
  setTokens({
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    expiresAt: body.expiresIn ? Date.now() + body.expiresIn * 1000 : null,
  });
}

/** Called when the session cannot be recovered (refresh failed): the app sends the user to sign-in. */
function sessionExpired() {
  setTokens(null);
  window.dispatchEvent(new CustomEvent('fathom:session-expired'));
}

// Only one refresh at a time: the refresh token is single-use, and reusing it revokes the family.
let refreshInFlight = null;

function refreshTokens() {
  if (!refreshInFlight) {
    refreshInFlight = (async () => {
      const refreshToken = getTokens()?.refreshToken;
      if (!refreshToken) return false;
      try {
        const res = await fetch('/api/auth/refresh', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ refreshToken }),
        });
        if (!res.ok) return false;
        storeLoginResponse(await res.json());
        return true;
      } catch {
        return false;
      }
    })().finally(() => { refreshInFlight = null; });
  }
  return refreshInFlight;
}

/**
 * After a 401 for a request sent with `usedToken`: can we retry?
 * If another request already refreshed meanwhile, just retry with the new token.
 */
async function recoverFrom401(usedToken) {
  const current = getTokens()?.accessToken;
  if (current && current !== usedToken) return true;
  return refreshTokens();
}

// ---------------------------------------------------------------------------
// Errors

export class ApiError extends Error {
  /**
   * @param {object} p
   *   status (0 = network failure), title, detail, errors ({ field: [messages] }),
   *   retryAfter (seconds or null), requestId, type
   */
  constructor(p) {
    super(p.detail || p.title || `HTTP ${p.status}`);
    this.name = 'ApiError';
    this.status = p.status;
    this.title = p.title || '';
    this.detail = p.detail || '';
    this.errors = p.errors || null;
    this.retryAfter = p.retryAfter ?? null;
    this.requestId = p.requestId || '';
    this.type = p.type || '';
  }

  get isNetwork() { return this.status === 0; }
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value) {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Turn a status + raw body text + headers getter into an ApiError. */
function problemFrom(status, bodyText, getHeader) {
  let problem = {};
  try {
    const parsed = JSON.parse(bodyText);
    if (parsed && typeof parsed === 'object') problem = parsed;
  } catch {
    // Not JSON (a proxy's HTML error page, for instance): keep the status only.
  }
  const errors = problem.errors && typeof problem.errors === 'object' && !Array.isArray(problem.errors) ? problem.errors : null;
  return new ApiError({
    status,
    type: typeof problem.type === 'string' ? problem.type : '',
    title: typeof problem.title === 'string' ? problem.title : '',
    detail: typeof problem.detail === 'string' ? problem.detail : '',
    errors,
    requestId: typeof problem.requestId === 'string' ? problem.requestId : (getHeader('x-request-id') || ''),
    retryAfter: parseRetryAfter(getHeader('retry-after')),
  });
}

async function problemFromResponse(res) {
  let text = '';
  try { text = await res.text(); } catch { /* ignore */ }
  return problemFrom(res.status, text, (name) => res.headers.get(name));
}

function networkError(cause) {
  const err = new ApiError({ status: 0, title: 'Network error', detail: cause?.message || '' });
  err.cause = cause;
  return err;
}

// ---------------------------------------------------------------------------
// Requests

function buildUrl(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Low-level: fetch with auth, one refresh-and-retry on 401, errors as ApiError.
 * Returns the successful Response (body unread), so callers can stream it.
 *
 * options: method, body (object → JSON), query, headers, signal, auth (default true)
 */
export async function send(path, options = {}) {
  const { method = 'GET', body, query, headers = {}, signal, auth = true } = options;
  const url = buildUrl(path, query);

  const attempt = async () => {
    const token = auth ? getTokens()?.accessToken : null;
    const init = { method, signal, headers: { Accept: 'application/json', ...headers } };
    if (token) init.headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      return { res: await fetch(url, init), token };
    } catch (cause) {
      if (cause?.name === 'AbortError') throw cause;
      throw networkError(cause);
    }
  };

  let { res, token } = await attempt();
  if (res.status === 401 && auth) {
    if (token && await recoverFrom401(token)) ({ res } = await attempt());
    if (res.status === 401) sessionExpired();
  }
  if (!res.ok) throw await problemFromResponse(res);
  return res;
}

/** fetch + JSON: returns the parsed body, or null for 204/empty bodies. */
export async function request(path, options = {}) {
  const res = await send(path, options);
  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const api = {
  get: (path, query, options = {}) => request(path, { ...options, query }),
  post: (path, body, options = {}) => request(path, { ...options, method: 'POST', body }),
  patch: (path, body, options = {}) => request(path, { ...options, method: 'PATCH', body }),
  del: (path, options = {}) => request(path, { ...options, method: 'DELETE' }),
};

// ---------------------------------------------------------------------------
// Upload with progress

/**
 * Upload one file as multipart/form-data (part name "files").
 * onProgress(loaded, total) is called from XHR upload progress events.
 * Returns { promise, abort }. The promise resolves with the parsed JSON body.
 */
export function uploadFile(path, file, { onProgress } = {}) {
  let xhr = null;
  let aborted = false;

  const attempt = () => new Promise((resolve, reject) => {
    const token = getTokens()?.accessToken;
    xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json');
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.addEventListener('progress', (event) => {
      if (onProgress) onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    });
    xhr.addEventListener('load', () => resolve({ xhr, token }));
    xhr.addEventListener('error', () => {
      const err = networkError(new Error('Upload failed'));
      err.upload = true; // the server may have closed the connection on an oversized file
      reject(err);
    });
    xhr.addEventListener('abort', () => reject(new DOMException('Upload cancelled', 'AbortError')));
    const form = new FormData();
    form.append('files', file, file.name);
    xhr.send(form);
  });

  const run = async () => {
    let { xhr: done, token } = await attempt();
    if (done.status === 401 && !aborted) {
      if (token && await recoverFrom401(token)) ({ xhr: done } = await attempt());
      if (done.status === 401) sessionExpired();
    }
    const getHeader = (name) => done.getResponseHeader(name);
    if (done.status < 200 || done.status >= 300) throw problemFrom(done.status, done.responseText, getHeader);
    try {
      return done.responseText ? JSON.parse(done.responseText) : null;
    } catch {
      return null;
    }
  };

  return {
    promise: run(),
    abort: () => { aborted = true; xhr?.abort(); },
  };
}

// ---------------------------------------------------------------------------
// Auth calls

export async function signUp({ email, password, displayName }) {
  return request('/api/auth/signup', { method: 'POST', body: { email, password, displayName }, auth: false });
}

export async function signIn({ email, password }) {
  const body = await request('/api/auth/login', { method: 'POST', body: { email, password }, auth: false });
  storeLoginResponse(body);
  return body;
}

/** Revoke the session server-side (best effort) and forget the tokens. */
export async function signOut() {
  const tokens = getTokens();
  if (tokens?.refreshToken) {
    try {
      await fetch('/api/auth/logout', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokens.accessToken}` },
        body: JSON.stringify({ refreshToken: tokens.refreshToken }),
      });
    } catch {
      // Offline: the tokens are forgotten locally anyway.
    }
  }
  setTokens(null);
}
