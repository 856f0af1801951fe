// announce.mjs: one multicast announcement (spec 3.1), and optionally a short listen for the
// answers that come back by multicast (announce: false). Answers by register request need the
// receiver's HTTPS server; run `receive` alongside for those.
import dgram from 'node:dgram';
import { deviceInfo, MULTICAST_GROUP, DEFAULT_PORT } from './identity.mjs';

export async function announce ({ identity, port, group = MULTICAST_GROUP, udpPort = DEFAULT_PORT,
  iface = null, listen = 0 }, emit) {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(listen > 0 ? udpPort : 0, resolve);
  });
  if (iface)
    socket.setMulticastInterface(iface);
  socket.setMulticastTTL(1);
  socket.setMulticastLoopback(false);
  const message = { ...deviceInfo(identity, port), announce: true };
  const data = Buffer.from(JSON.stringify(message));
  if (listen > 0) {
    socket.addMembership(group, iface ?? undefined);
    socket.on('message', (msg, rinfo) => {
      let json = null;
      try {
        json = JSON.parse(msg.toString('utf8'));
      } catch {
        return;
      }
      if (typeof json !== 'object' || json === null || json.fingerprint === identity.fingerprint)
        return;
      emit({ event: 'heard', from: rinfo.address, alias: json.alias, fingerprint: json.fingerprint,
        port: json.port, protocol: json.protocol, announce: json.announce });
    });
  }
  await new Promise((resolve, reject) => socket.send(data, udpPort, group,
    (error) => (error ? reject(error) : resolve())));
  emit({ event: 'announced', group, port: udpPort, alias: identity.alias,
    fingerprint: identity.fingerprint, bytes: data.length });
  if (listen > 0)
    await new Promise((resolve) => setTimeout(resolve, listen * 1000));
  socket.close();
}
