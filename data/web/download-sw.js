// ShareSync download worker: turns a direct (WebRTC) download into an ordinary browser
// download that is written to disk as it arrives, for browsers without showSaveFilePicker.
//
// The page (rtc.js, openDownloadSink) registers this worker for /static/ssync-download/ only,
// hands it a MessagePort with {type:"ssync-download", id, name, size}, and then opens
// /static/ssync-download/{id}. The worker answers that request itself with a stream fed from
// the port and Content-Disposition: attachment, so the browser saves it like any download and
// the page never holds the file. Flow control: the worker acknowledges a chunk ("pull") only
// while its queue has room, and the page sends no more than a few unacknowledged chunks.
//
// Service workers run only in a secure context (https, or this computer's own address); on
// plain http from another address rtc.js falls back to holding a small file in memory.
//
// Nothing here is shown to a person: the file name comes from the page and only goes into a
// header, encoded.

const PREFIX = '/static/ssync-download/';
// What the worker keeps queued for the browser's download at most.
const HIGH_WATER = 4 * 1024 * 1024;
// A download not opened this long after it was announced is dropped with its port.
const OPEN_TIMEOUT_MS = 30_000;

const announced = new Map();   // id → { port, name, size, timer }

self.addEventListener('install', () => {
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

// RFC 5987/6266: a UTF-8 file name for Content-Disposition, with an ASCII stand-in.
function disposition(name) {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function streamFrom(port) {
  let owed = 0;   // chunks enqueued but not yet acknowledged, waiting for room
  return new ReadableStream({
    start(controller) {
      port.onmessage = ({ data }) => {
        if (data?.type === 'chunk') {
          controller.enqueue(new Uint8Array(data.chunk));
          if (controller.desiredSize > 0)
            port.postMessage({ type: 'pull' });
          else
            owed++;
        } else if (data?.type === 'end') {
          controller.close();
          port.close();
        } else if (data?.type === 'abort') {
          controller.error(new Error(String(data.reason ?? 'aborted')));
          port.close();
        }
      };
    },
    pull() {
      for (; owed > 0; owed--)
        port.postMessage({ type: 'pull' });
    },
    cancel() {
      // The person cancelled the download in the browser.
      port.postMessage({ type: 'cancelled' });
      port.close();
    },
  }, { highWaterMark: HIGH_WATER, size: (chunk) => chunk.byteLength });
}

self.addEventListener('message', (event) => {
  const data = event.data;
  if (data?.type === 'ssync-keepalive')
    return;   // Only keeps the worker running while a download streams.
  const port = event.ports[0];
  if (data?.type !== 'ssync-download' || typeof data.id !== 'string' || port === undefined)
    return;
  const timer = setTimeout(() => {
    announced.delete(data.id);
    port.close();
  }, OPEN_TIMEOUT_MS);
  announced.set(data.id, { port, name: String(data.name ?? 'download'), size: data.size, timer });
  port.postMessage({ type: 'announced' });
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(PREFIX))
    return;
  const id = url.pathname.slice(PREFIX.length);
  const download = announced.get(id);
  if (download === undefined)
    return;   // The server answers 404.
  announced.delete(id);
  clearTimeout(download.timer);
  const headers = new Headers({
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': disposition(download.name),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  if (Number.isSafeInteger(download.size) && download.size >= 0)
    headers.set('Content-Length', String(download.size));
  event.respondWith(new Response(streamFrom(download.port), { headers }));
});
