// ShareSync rooms (/p2p): browsers on the network send files straight to each other.
//
// /p2p opens a new room and shows its link; /p2p?room=CODE joins one. The app only relays the
// WebRTC offers, answers and candidates between the members ("room-signal"); each file then
// travels over an encrypted data channel from one browser to the other, framed like every
// direct transfer (rtc.js), and the receiver gets an ordinary download with its SHA-256 checked.
// Every file sent gets a connection of its own, named by an id in its signaling messages.
//
// Names from the other browser go into the page with textContent, never as markup.

import { $, el, formatSize } from '/static/common.js';
import {
  FramedChannel, directErrorText, newPeerConnection, openSignaling, saveBlob, sendSignal,
  trickleCandidates,
} from '/static/rtc.js';

const peers = new Set();
const connections = new Map();   // id → RTCPeerConnection
let ws = null;
let me = null;
let counter = 0;

function setState(text) {
  $('room-state').textContent = text;
}

function showError(text) {
  $('room-error').hidden = false;
  $('room-error').textContent = text;
}

function renderPeers() {
  const list = $('peer-list');
  list.replaceChildren(...[...peers].map((peer) => el('li', 'file peer', `Browser ${peer}`)));
  if (peers.size === 0)
    list.append(el('li', 'file file-empty', 'Nobody else yet: open the link on another device.'));
  $('pick-files').disabled = peers.size === 0;
}

function addTransferRow(text) {
  const item = el('li', 'file transfer');
  const status = el('p', 'file-meta file-direct', text);
  status.setAttribute('aria-live', 'polite');
  item.append(el('span', 'file-icon'), status);
  $('transfer-list').append(item);
  return { item, status };
}

function progressText(verb, name, bytes, total) {
  const percent = total > 0 ? Math.floor((bytes / total) * 100) : 100;
  return `${verb} ${name}: ${formatSize(bytes)} of ${formatSize(total)} (${percent} %)`;
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

async function sendFile(file, to) {
  const id = `${me}-${++counter}`;
  const { item, status } = addTransferRow(`Connecting to browser ${to}…`);
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
        status.textContent = progressText('Sending', file.name, bytes, file.size);
      },
    });
    item.dataset.sha256 = sent.sha256;
    status.textContent = `Sent ${file.name} to browser ${to}, SHA-256 verified: ${sent.sha256}`;
  } catch (error) {
    status.classList.add('file-direct-error');
    status.textContent = `Not sent: ${directErrorText(error)}`;
  } finally {
    endConnection(id);
  }
}

async function receiveFrom(from, offer) {
  const { id } = offer;
  const { item, status } = addTransferRow(`Browser ${from} is connecting…`);
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
    const name = String(header.name ?? 'download');
    const { blob, sha256 } = await channel.receiveFile(header, (bytes) => {
      status.textContent = progressText('Receiving', name, bytes, Number(header.size));
    });
    saveBlob(blob, name);
    item.dataset.sha256 = sha256;
    status.textContent = `Received ${name} from browser ${from}, SHA-256 verified: ${sha256}`;
    // The sender closes once it has read the acknowledgement.
  } catch (error) {
    status.classList.add('file-direct-error');
    status.textContent = `Not received: ${directErrorText(error)}`;
    endConnection(id);
  }
}

function handleSignal(from, data) {
  if (data === null || typeof data !== 'object' || typeof data.id !== 'string')
    return;
  if (data.kind === 'offer') {
    receiveFrom(from, data);
    return;
  }
  const pc = connections.get(data.id);
  if (pc === undefined)
    return;
  if (data.kind === 'answer')
    pc.setRemoteDescription({ type: 'answer', sdp: String(data.sdp) }).catch(() => {});
  else if (data.kind === 'candidate')
    pc.addIceCandidate({ candidate: String(data.candidate), sdpMLineIndex: data.sdpMLineIndex })
      .catch(() => {});
}

function joined(message) {
  me = message.you;
  for (const peer of message.peers ?? [])
    peers.add(peer);
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
  setState(`Room ${message.room}: open this link on the other device.`);
  renderPeers();
}

function sendChosen(files) {
  for (const peer of peers)
    for (const file of files)
      sendFile(file, peer);
}

async function start() {
  try {
    ws = await openSignaling();
  } catch (error) {
    showError(error.message);
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
      peers.add(message.peer);
      renderPeers();
    } else if (message.type === 'room-peer-left') {
      peers.delete(message.peer);
      renderPeers();
    } else if (message.type === 'room-signal')
      handleSignal(message.from, message.data);
    else if (message.type === 'error')
      showError(message.message);
  });
  ws.addEventListener('close', () => {
    showError('The connection to ShareSync closed: reload the page to join again.');
    $('pick-files').disabled = true;
  });

  const room = new URLSearchParams(window.location.search).get('room');
  if (room)
    sendSignal(ws, { type: 'room-join', room });
  else
    sendSignal(ws, { type: 'room-create' });
}

$('pick-files').addEventListener('change', () => {
  const files = [...$('pick-files').files];
  $('pick-files').value = '';
  sendChosen(files);
});

const zone = $('drop-zone');
zone.addEventListener('dragover', (event) => {
  event.preventDefault();
});
zone.addEventListener('drop', (event) => {
  event.preventDefault();
  if (peers.size > 0)
    sendChosen([...event.dataTransfer.files]);
});

renderPeers();
start();
