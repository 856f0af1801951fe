// The receive page's retry policy (data/web/retry-policy.js) and resume store
// (data/web/resume-store.js), which decide and remember without network or DOM, run by Node.
//
// Run by meson (suite "web") as: node --test --test-reporter=tap test-upload-policy.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { MAX_AGE_MS, ResumeStore, memoryStorage } from '../../data/web/resume-store.js';
import {
  CHUNK_SIZE, DEFAULT_RETRY_AFTER_S, MAX_CONFLICTS, MAX_SERVER_ERRORS, MIN_CHUNK_SIZE,
  RETRY_DELAYS_S, RetryPolicy,
} from '../../data/web/retry-policy.js';
import { CancelledError, HttpError, NetworkError } from '../../data/web/tus-client.js';

const answer = (status, headers = {}) => ({
  status,
  header: (name) => headers[name] ?? null,
});
const http = (status, method = 'PATCH', headers = {}) =>
  new HttpError(status, answer(status, headers), method);

test('a lost connection is retried with growing waits, reset by progress', () => {
  const policy = new RetryPolicy();
  const waits = [];
  for (let i = 0; i < RETRY_DELAYS_S.length + 2; i++)
    waits.push(policy.decide(new NetworkError('cut')));
  assert.deepEqual(waits.map((d) => d.action), Array(waits.length).fill('wait'));
  assert.deepEqual(waits.map((d) => d.seconds), [...RETRY_DELAYS_S, 30, 30]);
  assert.ok(waits.every((d) => d.reason === 'network'));

  policy.progressed();
  assert.equal(policy.decide(new NetworkError('cut')).seconds, RETRY_DELAYS_S[0]);
});

test('a 429 waits as Retry-After says, or a default', () => {
  const policy = new RetryPolicy();
  assert.deepEqual(policy.decide(http(429, 'POST', { 'Retry-After': '7' })),
    { action: 'wait', reason: 'busy', seconds: 7 });
  assert.deepEqual(policy.decide(http(429, 'POST', { 'Retry-After': 'soon' })),
    { action: 'wait', reason: 'busy', seconds: DEFAULT_RETRY_AFTER_S });
});

test('conflicts and server errors are retried a few times, then stop', () => {
  const policy = new RetryPolicy();
  for (let i = 0; i < MAX_CONFLICTS; i++)
    assert.deepEqual(policy.decide(http(409)), { action: 'head' });
  assert.deepEqual(policy.decide(http(409)), { action: 'stop', forget: false });

  const delays = [];
  for (let i = 0; i < MAX_SERVER_ERRORS; i++)
    delays.push(policy.decide(http(502)));
  assert.deepEqual(delays.map((d) => [d.reason, d.seconds]),
    RETRY_DELAYS_S.slice(0, MAX_SERVER_ERRORS).map((s) => ['server', s]));
  assert.equal(policy.decide(http(500)).action, 'stop');
  // A full disk is not a passing problem.
  assert.equal(new RetryPolicy().decide(http(507)).action, 'stop');
});

test('a forgotten upload starts over once; a gone share stops at once', () => {
  const policy = new RetryPolicy();
  assert.deepEqual(policy.decide(http(404, 'HEAD')), { action: 'restart' });
  assert.deepEqual(policy.decide(http(410, 'PATCH')), { action: 'stop', forget: true });
  policy.renew();
  assert.deepEqual(policy.decide(http(410, 'PATCH')), { action: 'restart' });

  assert.deepEqual(new RetryPolicy().decide(http(404, 'POST')), { action: 'stop', forget: false });
  assert.deepEqual(new RetryPolicy().decide(http(410, 'POST')), { action: 'stop', forget: false });
});

test('a 413 on PATCH halves the pieces down to a floor; on POST it stops', () => {
  const policy = new RetryPolicy();
  const sizes = [];
  for (let d = policy.decide(http(413)); d.action === 'shrink'; d = policy.decide(http(413)))
    sizes.push(d.chunkSize);
  assert.equal(sizes[0], CHUNK_SIZE / 2);
  assert.equal(sizes.at(-1), MIN_CHUNK_SIZE);
  assert.equal(policy.chunkSize, MIN_CHUNK_SIZE);
  policy.renew();
  assert.equal(policy.chunkSize, CHUNK_SIZE, 'sending again starts from full pieces');

  assert.deepEqual(new RetryPolicy().decide(http(413, 'POST')), { action: 'stop', forget: false });
});

test('declines, lost access and page errors stop', () => {
  const policy = new RetryPolicy();
  const declined = http(403, 'POST', { 'Upload-Declined': '1' });
  assert.ok(declined.declined);
  assert.ok(!http(403, 'POST').declined);
  for (const error of [declined, http(401), http(400), http(412), new TypeError('bug'),
    new CancelledError('cancelled')])
    assert.equal(policy.decide(error).action, 'stop', String(error));
});

test('the store keeps entries per share, oldest first, and drops stale ones', () => {
  let now = 1_000_000;
  const storage = memoryStorage();
  const store = new ResumeStore(storage, { now: () => now });
  const a = ResumeStore.key('tokA', 'trip/a.txt', 10, 5);
  const b = ResumeStore.key('tokA', 'b.txt', 20, 6);
  const other = ResumeStore.key('tokB', 'c.txt', 30, 7);

  store.remember(b, { url: 'http://h/u/2', path: 'b.txt', size: 20, lastModified: 6 });
  now += 10;
  store.remember(a, { url: 'http://h/u/1', path: 'trip/a.txt', size: 10, lastModified: 5,
    expires: now + 1000 });
  store.remember(other, { url: 'http://h/u/3', path: 'c.txt', size: 30, lastModified: 7 });
  storage.setItem('unrelated', 'kept');
  storage.setItem(ResumeStore.key('tokA', 'x', 1, 1), '{not json');

  assert.deepEqual(store.list('tokA').map((e) => [e.key, e.url]),
    [[b, 'http://h/u/2'], [a, 'http://h/u/1']]);
  assert.equal(store.get(a).path, 'trip/a.txt');
  assert.equal(storage.getItem(ResumeStore.key('tokA', 'x', 1, 1)), null, 'garbage dropped');
  assert.equal(storage.getItem('unrelated'), 'kept', 'other keys are left alone');

  now += 2000;
  assert.deepEqual(store.list('tokA').map((e) => e.key), [b], 'past its Upload-Expires');
  now += MAX_AGE_MS;
  assert.deepEqual(store.list('tokA'), [], 'older than a week');
  assert.deepEqual(store.list('tokB'), []);

  store.remember(a, { url: 'http://h/u/1', path: 'trip/a.txt', size: 10, lastModified: 5 });
  store.forget(a);
  assert.equal(store.get(a), null);
});

test('a store without storage, or with a refusing one, remembers nothing and throws not', () => {
  const none = new ResumeStore(null);
  none.remember('k', { url: 'u', path: 'p', size: 1, lastModified: 1 });
  assert.equal(none.get('k'), null);
  assert.deepEqual(none.list('t'), []);

  const refusing = {
    getItem: () => {
      throw new Error('SecurityError');
    },
    setItem: () => {
      throw new Error('QuotaExceededError');
    },
    removeItem: () => {
      throw new Error('SecurityError');
    },
    keys: () => {
      throw new Error('SecurityError');
    },
  };
  const store = new ResumeStore(refusing);
  store.remember('k', { url: 'u', path: 'p', size: 1, lastModified: 1 });
  store.forget('k');
  assert.equal(store.get('k'), null);
  assert.deepEqual(store.list('t'), []);
});
