// ShareSync rooms (/p2p): browsers on the network send files straight to each other.
//
// /p2p opens a new room and shows its link; /p2p?room=CODE joins one. The app only relays the
// WebRTC offers, answers and candidates between the members ("room-signal"); each file then
// travels over an encrypted data channel from one browser to the other, framed like every
// direct transfer (rtc.js), and is written to disk as it arrives with its SHA-256 checked.
//
// Members know each other by a readable name: the device each one describes of itself in a
// "hello" ("Firefox on Android"), and a word that every member derives alike from the peer id
// the app gave it ("Otter"). Nothing is received without asking: the sender first sends a
// "request" with the file's name and size; the other side shows it with Accept and Decline,
// and only an accepted request gets a connection ("accept", then the sender's "offer"), while
// "decline" is shown to the sender. Every file gets a connection of its own, named by an id.
//
// Names from the other browser go into the page with textContent, never as markup.

import { $, el, formatSize } from '/static/common.js';
import { _, format } from '/static/i18n.js';
import {
  DirectError, FramedChannel, directErrorText, newPeerConnection, openDownloadSink,
  openSignaling, sendSignal, sinkNote, trickleCandidates,
} from '/static/rtc.js';

// Words for peers: short, distinct, easy to say across a room.
const WORDS = [
  _('Otter'), _('Heron'), _('Fox'), _('Lynx'), _('Badger'), _('Falcon'), _('Marten'),
  _('Beaver'), _('Robin'), _('Hare'), _('Owl'), _('Seal'), _('Wren'), _('Moose'), _('Crane'),
  _('Puffin'), _('Stoat'), _('Bison'), _('Swift'), _('Panda'), _('Koala'), _('Gecko'),
  _('Ibis'), _('Tapir'),
];
const MAX_NAME = 255;
const MAX_DEVICE = 40;
// Requests waiting for an answer at most: a page that sends more is not shown more.
const MAX_WAITING = 32;

const peers = new Map();          // peer id → { device }
const connections = new Map();    // transfer id → RTCPeerConnection
const outgoing = new Map();       // transfer id → { file, to, row }
const incoming = new Map();       // transfer id → { from, name, size, row, sink }
let ws = null;
let me = null;
let counter = 0;

function localize() {
  document.title = format(_('%s – ShareSync'), _('Send between browsers'));
  $('p2p-title').textContent = _('Send between browsers');
  $('room-state').textContent = _('Opening a room…');
  $('p2p-intro').textContent = _('Files go straight from one browser to the other, encrypted; ' +
    'this computer only introduces them.');
  $('room-qr').alt = _('QR code of the room’s link');
  $('peers-heading').textContent = _('In this room');
  $('send-heading').textContent = _('Send files');
  $('drop-title').textContent = _('Drop files here, or');
  $('pick-files-label').textContent = _('Choose files to send');
  $('transfers-heading').textContent = _('Transfers');
  $('p2p-footer').textContent = _('Browsers meet through ShareSync; the files never pass ' +
    'through it');
}

// What this browser is, from its user agent, as {browser, os, type}: shown to the others.
function describeSelf() {
  const ua = navigator.userAgent;
  const browsers = [
    [/Edg\//, 'Edge'], [/OPR\/|Opera/, 'Opera'], [/SamsungBrowser/, 'Samsung Internet'],
    [/Firefox\/|FxiOS/, 'Firefox'], [/Chrome\/|CriOS|Chromium/, 'Chrome'],
    [/Safari\//, 'Safari'],
  ];
  const systems = [
    [/Android/, 'Android'], [/iPhone|iPod/, 'iPhone'], [/iPad/, 'iPad'], [/CrOS/, 'ChromeOS'],
    [/Windows/, 'Windows'], [/Mac OS X|Macintosh/, 'macOS'], [/Linux|X11/, 'Linux'],
  ];
  const browser = browsers.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
  const os = systems.find(([pattern]) => pattern.test(ua))?.[1] ?? null;
  const type = /Mobi|iPhone|Android/.test(ua) ? 'phone' : /iPad|Tablet/.test(ua) ? 'tablet'
    : 'computer';
  return { browser, os, type };
}

function cleanText(value) {
  return typeof value === 'string'
    ? value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_DEVICE) : null;
}

function deviceText(device) {
  if (device?.browser && device?.os)
    return format(_('%1$s on %2$s'), device.browser, device.os);
  if (device?.browser || device?.os)
    return device.browser ?? device.os;
  return _('A browser');
}

function wordOf(peer) {
  const n = Number(String(peer).slice(1));
  return Number.isSafeInteger(n) ? WORDS[n % WORDS.length] : WORDS[0];
}

// "Firefox on Android · Otter": how a peer is named everywhere on the page.
function peerName(peer) {
  const device = peer === me ? describeSelf() : peers.get(peer)?.device;
  return format(_('%1$s · %2$s'), deviceText(device), wordOf(peer));
}

function setState(text) {
  $('room-state').textContent = text;
}

function showError(text) {
  $('room-error').hidden = false;
  $('room-error').textContent = text;
}

function peerRow(peer, self) {
  const device = self ? describeSelf() : peers.get(peer)?.device;
  // Others are .peer; this device's own row is .peer-self.
  const item = el('li', `file ${self ? 'peer-self' : 'peer'} peer-${device?.type ?? 'computer'}`);
  const icon = el('span', 'file-icon');
  icon.setAttribute('aria-hidden', 'true');
  const info = el('div', 'file-info');
  info.append(el('p', 'file-name peer-name', peerName(peer)));
  if (self)
    info.append(el('p', 'file-meta', _('This device')));
  item.append(icon, info);
  return item;
}

function setSendable(sendable) {
  $('pick-files').disabled = !sendable;
  $('pick-files-button').classList.toggle('disabled', !sendable);
  $('drop-zone').classList.toggle('closed', !sendable);
  $('send-hint').textContent = sendable
    ? _('Each file is offered to everyone else in this room; they choose whether to accept it.')
    : _('You can send files once another device has joined: open the link above on it.');
}

function renderPeers() {
  const list = $('peer-list');
  const rows = me === null ? [] : [peerRow(me, true)];
  for (const peer of peers.keys())
    rows.push(peerRow(peer, false));
  list.replaceChildren(...rows);
  if (peers.size === 0 && me !== null)
    list.append(el('li', 'file file-empty', _('Nobody else yet: open the link above on ' +
      'another device.')));
  setSendable(peers.size > 0 && ws?.readyState === WebSocket.OPEN);
}

// A row of the transfer list: { item, status, actions }.
function addTransferRow(text, title) {
  $('transfers').hidden = false;
  const item = el('li', 'file transfer');
  const icon = el('span', 'file-icon');
  icon.setAttribute('aria-hidden', 'true');
  const info = el('div', 'file-info');
  if (title !== undefined)
    info.append(el('p', 'file-name transfer-title', title));
  const status = el('p', 'file-meta file-direct', text);
  status.setAttribute('aria-live', 'polite');
  info.append(status);
  const actions = el('div', 'transfer-actions');
  item.append(icon, info, actions);
  $('transfer-list').append(item);
  return { item, status, actions };
}

function fail(row, text, state = 'failed') {
  row.status.classList.add('file-direct-error');
  row.status.textContent = text;
  row.item.dataset.state = state;
}

function progressText(bytes, total) {
  const percent = total > 0 ? Math.floor((bytes / total) * 100) : 100;
  return format(_('%1$s of %2$s (%3$d %%)'), formatSize(bytes), formatSize(total), percent);
}

function signal(to, data) {
  sendSignal(ws, { type: 'room-signal', to, data });
}

function watchCandidates(pc, to, id) {
  return trickleCandidates(pc, (candidate, sdpMLineIndex) =>
    signal(to, { kind: 'candidate', id, candidate, sdpMLineIndex }));
}

function endConnection(id) {
  connections.get(id)?.close();
  connections.delete(id);
}

// Asks `to` whether it wants file; the file goes once it accepts.
function offerFile(file, to) {
  const id = `${me}-${++counter}`;
  const row = addTransferRow(format(_('Waiting for %s to accept…'), peerName(to)),
    format(_('%1$s (%2$s)'), file.name, formatSize(file.size)));
  row.item.dataset.state = 'asking';
  outgoing.set(id, { file, to, row });
  signal(to, { kind: 'request', id, name: file.name, size: file.size });
}

async function sendFile(id) {
  const { file, to, row } = outgoing.get(id);
  row.item.dataset.state = 'sending';
  row.status.textContent = format(_('Connecting to %s…'), peerName(to));
  const pc = newPeerConnection();
  connections.set(id, pc);
  const candidates = watchCandidates(pc, to, id);
  const channel = new FramedChannel(pc.createDataChannel('sharesync'));
  try {
    await pc.setLocalDescription(await pc.createOffer());
    signal(to, { kind: 'offer', id, sdp: pc.localDescription.sdp });
    candidates.release();
    await channel.opened();
    const sent = await channel.sendFile(file, { name: file.name, path: file.name }, {
      onProgress: (bytes) => {
        row.status.textContent = format(_('Sending: %s'), progressText(bytes, file.size));
      },
    });
    row.item.dataset.sha256 = sent.sha256;
    row.item.dataset.state = 'done';
    row.status.textContent = format(_('Sent to %1$s, SHA-256 verified: %2$s'), peerName(to),
      sent.sha256);
  } catch (error) {
    fail(row, format(_('Not sent: %s'), directErrorText(error)));
  } finally {
    outgoing.delete(id);
    endConnection(id);
  }
}

function answered(from, data) {
  const request = outgoing.get(data.id);
  if (request === undefined || request.to !== from || request.row.item.dataset.state !== 'asking')
    return;
  if (data.kind === 'accept') {
    sendFile(data.id);
    return;
  }
  outgoing.delete(data.id);
  fail(request.row, data.reason === 'cannot-save'
    ? format(_('%s could not save the file on that device.'), peerName(from))
    : format(_('%s declined the file.'), peerName(from)), 'declined');
}

// Someone asks to send a file: shown with Accept and Decline.
function requested(from, data) {
  const name = typeof data.name === 'string' ? data.name.slice(0, MAX_NAME) : '';
  const size = Number(data.size);
  if (name === '' || !Number.isSafeInteger(size) || size < 0 || incoming.has(data.id) ||
      incoming.size >= MAX_WAITING)
    return;
  const row = addTransferRow(format(_('%s wants to send you this file.'), peerName(from)),
    format(_('%1$s (%2$s)'), name, formatSize(size)));
  row.item.dataset.state = 'asked';
  row.item.classList.add('transfer-request');
  const request = { from, name, size, row, sink: null };
  incoming.set(data.id, request);

  const accept = el('button', 'button suggested transfer-accept', _('Accept'));
  const decline = el('button', 'button transfer-decline', _('Decline'));
  accept.type = 'button';
  decline.type = 'button';
  accept.setAttribute('aria-label', format(_('Accept %s'), name));
  decline.setAttribute('aria-label', format(_('Decline %s'), name));
  row.actions.append(decline, accept);
  decline.addEventListener('click', () => {
    row.actions.replaceChildren();
    incoming.delete(data.id);
    row.item.dataset.state = 'declined';
    row.status.textContent = _('You declined this file.');
    signal(from, { kind: 'decline', id: data.id });
  });
  accept.addEventListener('click', async () => {
    row.actions.replaceChildren();
    try {
      // First thing after the click: a save dialog needs it.
      request.sink = await openDownloadSink(name, size);
    } catch (error) {
      incoming.delete(data.id);
      fail(row, format(_('Not received: %s'), directErrorText(error)));
      signal(from, { kind: 'decline', id: data.id, reason: 'cannot-save' });
      return;
    }
    row.item.dataset.state = 'accepted';
    row.status.textContent = format(_('Waiting for %s…'), peerName(from));
    signal(from, { kind: 'accept', id: data.id });
  });
  row.item.scrollIntoView({ block: 'nearest' });
}

async function receiveFrom(from, offer) {
  const { id } = offer;
  const request = incoming.get(id);
  // Only a file this page accepted gets a connection.
  if (request === undefined || request.from !== from || request.sink === null ||
      connections.has(id))
    return;
  const { row, sink, size } = request;
  row.item.dataset.state = 'receiving';
  row.status.textContent = format(_('Connecting to %s…'), peerName(from));
  const pc = newPeerConnection();
  connections.set(id, pc);
  const candidates = watchCandidates(pc, from, id);
  const channelReady = new Promise((resolve) => {
    pc.addEventListener('datachannel', (event) => resolve(new FramedChannel(event.channel)));
  });
  try {
    await pc.setRemoteDescription({ type: 'offer', sdp: String(offer.sdp) });
    await pc.setLocalDescription(await pc.createAnswer());
    signal(from, { kind: 'answer', id, sdp: pc.localDescription.sdp });
    candidates.release();
    const channel = await channelReady;
    channel.channel.addEventListener('close', () => endConnection(id));
    await channel.opened();
    const header = await channel.receiveText('file');
    if (Number(header.size) !== size)
      throw new DirectError(_('The file is not the one that was offered.'));
    const { sha256 } = await channel.receiveFile(header, (bytes) => {
      row.status.textContent = format(_('Receiving: %s'), progressText(bytes, size));
    }, sink);
    row.item.dataset.sha256 = sha256;
    row.item.dataset.state = 'done';
    const note = sinkNote(sink);
    row.status.textContent = format(_('Received from %1$s, SHA-256 verified: %2$s'),
      peerName(from), sha256) + (note === null ? '' : ` ${note}`);
    // The sender closes once it has read the acknowledgement.
  } catch (error) {
    await sink.abort(directErrorText(error));
    fail(row, format(_('Not received: %s'), directErrorText(error)));
    endConnection(id);
  } finally {
    incoming.delete(id);
  }
}

function hello(to) {
  signal(to, { kind: 'hello', device: describeSelf() });
}

function handleSignal(from, data) {
  if (data === null || typeof data !== 'object' || !peers.has(from))
    return;
  if (data.kind === 'hello') {
    const device = data.device ?? {};
    const type = ['phone', 'tablet', 'computer'].includes(device.type) ? device.type : null;
    peers.get(from).device = { browser: cleanText(device.browser), os: cleanText(device.os), type };
    renderPeers();
    return;
  }
  if (typeof data.id !== 'string')
    return;
  if (data.kind === 'request')
    requested(from, data);
  else if (data.kind === 'accept' || data.kind === 'decline')
    answered(from, data);
  else if (data.kind === 'offer')
    receiveFrom(from, data);
  else {
    const pc = connections.get(data.id);
    if (pc === undefined)
      return;
    if (data.kind === 'answer')
      pc.setRemoteDescription({ type: 'answer', sdp: String(data.sdp) }).catch(() => {});
    else if (data.kind === 'candidate')
      pc.addIceCandidate({ candidate: String(data.candidate), sdpMLineIndex: data.sdpMLineIndex })
        .catch(() => {});
  }
}

function peerLeft(peer) {
  const name = peerName(peer);
  peers.delete(peer);
  for (const [id, request] of outgoing) {
    if (request.to === peer && request.row.item.dataset.state === 'asking') {
      outgoing.delete(id);
      fail(request.row, format(_('%s left before answering.'), name));
    }
  }
  for (const [id, request] of incoming) {
    if (request.from === peer && request.row.item.dataset.state !== 'receiving') {
      incoming.delete(id);
      request.row.actions.replaceChildren();
      request.sink?.abort();
      fail(request.row, format(_('%s left the room.'), name));
    }
  }
  renderPeers();
}

function joined(message) {
  me = message.you;
  for (const peer of message.peers ?? []) {
    peers.set(peer, { device: null });
    hello(peer);
  }
  const url = new URL(window.location.href);
  url.search = `?room=${encodeURIComponent(message.room)}`;
  window.history.replaceState(null, '', url.href);
  const link = $('room-link');
  link.href = url.href;
  link.textContent = url.href;
  link.hidden = false;
  const qr = $('room-qr');
  qr.src = `/api/p2p/qr.svg?room=${encodeURIComponent(message.room)}`;
  qr.hidden = false;
  document.body.dataset.room = message.room;
  setState(format(_('Room %s: open this link on the other device.'), message.room));
  renderPeers();
}

function sendChosen(files) {
  for (const peer of peers.keys())
    for (const file of files)
      offerFile(file, peer);
}

async function start() {
  try {
    ws = await openSignaling();
  } catch (error) {
    showError(directErrorText(error));
    return;
  }
  ws.addEventListener('message', (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === 'room-joined')
      joined(message);
    else if (message.type === 'room-peer-joined') {
      peers.set(message.peer, { device: null });
      hello(message.peer);
      renderPeers();
    } else if (message.type === 'room-peer-left')
      peerLeft(message.peer);
    else if (message.type === 'room-signal')
      handleSignal(message.from, message.data);
    else if (message.type === 'error')
      showError(message.message);
  });
  ws.addEventListener('close', () => {
    showError(_('The connection to ShareSync closed: reload the page to join again.'));
    setSendable(false);
  });

  const room = new URLSearchParams(window.location.search).get('room');
  if (room)
    sendSignal(ws, { type: 'room-join', room });
  else
    sendSignal(ws, { type: 'room-create' });
}

localize();
$('pick-files').addEventListener('change', () => {
  const files = [...$('pick-files').files];
  $('pick-files').value = '';
  sendChosen(files);
});

const zone = $('drop-zone');
zone.addEventListener('dragover', (event) => {
  event.preventDefault();
  zone.classList.toggle('dragging', peers.size > 0);
});
zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
zone.addEventListener('drop', (event) => {
  event.preventDefault();
  zone.classList.remove('dragging');
  if (peers.size > 0)
    sendChosen([...event.dataTransfer.files]);
});

renderPeers();
start();
