// Calls to the read API with the signed-in key. The key lives in sessionStorage only: never in
// a URL, localStorage or a cookie. Every failure becomes an ApiError carrying the problem document.

const KEY = 'agentstream.key';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, problem) {
    const title = problem?.title || (status ? `HTTP ${status}` : 'Network error');
    const detail = problem?.detail || (status ? '' : 'The service could not be reached.');
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.problem = problem || {};
  }
}

export async function request(path, { method = 'GET', body, key = session.key(), raw = false, signal } = {}) {
  const headers = { Accept: raw ? '*/*' : 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, cache: 'no-store', credentials: 'omit', redirect: 'error',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (failure) {
    if (failure.name === 'AbortError') throw failure;
    throw new ApiError(0, null);
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not a problem document */ }
    throw new ApiError(response.status, problem);
  }
  return raw ? response : response.json();
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

let config;
/** The settings the page needs before sign-in (is the stream public?). */
export async function dashboardConfig() {
  if (!config) {
    config = request('/assets/config.json', { key: null }).catch(() => ({ stream_public: false }));
  }
  return config;
}
