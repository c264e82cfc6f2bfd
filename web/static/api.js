// Fetch helpers for the HTTP API (docs/API.md).
//
// Every failure becomes an ApiError carrying the server's own message, the
// reward span it points at (byte offsets, when the error is in a reward) and
// Retry-After when the server is busy, so pages can show what went wrong
// instead of a bare status code.

export class ApiError extends Error {
  constructor(status, message, span = null, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.span = span;
    this.retryAfter = retryAfter;
  }
}

/** How often a request the server turned away as busy (429) is tried again. */
const BUSY_RETRIES = 6;

/**
 * Sends a request and reads its JSON. When the server is busy (429), waits
 * as long as its Retry-After says (at most 5 s) and tries again a few times
 * before giving up with the server's message.
 */
export async function request(method, path, body) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await requestOnce(method, path, body);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 429 || attempt >= BUSY_RETRIES) throw err;
      const wait = Math.min(5, err.retryAfter ?? 1) * 1000 * (0.75 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function requestOnce(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'Could not reach the server. Is it still running?');
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = data && typeof data === 'object' ? data.error : null;
    const message =
      err && typeof err.message === 'string' ? err.message : `The server answered ${res.status} ${res.statusText}.`;
    const span =
      err && Array.isArray(err.span) && err.span.length === 2 && err.span.every(Number.isFinite) ? err.span : null;
    const ra = Number.parseFloat(res.headers.get('Retry-After') ?? '');
    throw new ApiError(res.status, message, span, Number.isFinite(ra) ? ra : null);
  }
  return data;
}

const enc = encodeURIComponent;

export const getLevels = () => request('GET', '/api/levels');
export const getLevel = (id) => request('GET', `/api/levels/${enc(id)}`);
/**
 * Checks a reward. The server answers a reward that does not compile with
 * 200 and `{ok: false, error}` (a reward being typed is often wrong, and
 * that is no failed request); it is thrown here as the ApiError (status 400,
 * with its span) a refused run would give, so callers treat both alike.
 */
export async function checkReward(level, reward) {
  const answer = await request('POST', '/api/check', { level, reward });
  if (answer && answer.ok === false) {
    const err = answer.error ?? {};
    const span = Array.isArray(err.span) && err.span.length === 2 && err.span.every(Number.isFinite) ? err.span : null;
    throw new ApiError(400, typeof err.message === 'string' ? err.message : 'The reward is not valid.', span);
  }
  return answer;
}
export const startRun = (run) => request('POST', '/api/runs', run);
export const saveDesign = (design) => request('POST', '/api/designs', design);
export const getDesign = (id) => request('GET', `/api/designs/${enc(id)}`);
export const explain = (name, body = {}) => request('POST', `/api/explain/${enc(name)}`, body);

/**
 * Follows a run's Server-Sent Events. Calls onProgress for each `progress`
 * event, then exactly one of onResult or onError. Returns a function that
 * stops listening.
 *
 * After its last word the server ends the stream, which EventSource reports
 * as an error and would answer by reconnecting to the finished run: the
 * source is closed right then. Closing it on the last event instead would
 * abort a response that is about to end by itself.
 */
export function followRun(eventsUrl, { onProgress, onResult, onError }) {
  const source = new EventSource(eventsUrl);
  let finished = false;
  let closeTimer = null;
  const finish = () => {
    finished = true;
    // In case the server keeps the stream open after its last event.
    closeTimer = setTimeout(() => source.close(), 2000);
  };
  const close = () => {
    clearTimeout(closeTimer);
    source.close();
  };
  const parse = (ev) => {
    try {
      return JSON.parse(ev.data);
    } catch {
      return null;
    }
  };
  source.addEventListener('progress', (ev) => {
    const data = parse(ev);
    if (data && !finished) onProgress(data);
  });
  source.addEventListener('result', (ev) => {
    if (finished) return;
    finish();
    const data = parse(ev);
    if (data) onResult(data);
    else onError('The server sent a result that could not be read.');
  });
  // Both the server's `event: error` (which has data) and the end or loss
  // of the connection (which has none) arrive here.
  source.addEventListener('error', (ev) => {
    if (finished) {
      close();
      return;
    }
    if (ev.data) {
      finish();
      const data = parse(ev);
      const message = data && data.error && typeof data.error.message === 'string' ? data.error.message : null;
      onError(message ?? 'The run failed.');
      return;
    }
    finished = true;
    close();
    onError('The connection to the server was lost before the run finished.');
  });
  return () => {
    finished = true;
    close();
  };
}

/** Converts a [start, end] span of UTF-8 byte offsets into string indices. */
export function byteSpanToIndices(text, span) {
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const clamp = (n) => Math.max(0, Math.min(bytes.length, Math.floor(n)));
  const start = clamp(span[0]);
  const end = Math.max(start, clamp(span[1]));
  const a = dec.decode(bytes.subarray(0, start)).length;
  const b = a + dec.decode(bytes.subarray(start, end)).length;
  return [a, b];
}

