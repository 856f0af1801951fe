#!/usr/bin/env node
// localsend-peer.mjs: a LocalSend v2.1 peer for tests, written from the public protocol
// description (localsend/protocol README; NOTES.md's summary), not from ShareSync's code.
// Node built-ins only; its TLS certificate comes from the openssl CLI. Prints one JSON object a
// line on standard output for each thing that happens.
//
//   send HOST:PORT FILE|DIR... [--pin P] [--cancel-after BYTES] [--alias A] [--http]
//        [--name NAME]... [--no-sha256] [--extra-bytes N] [--wrong-token]
//        [--fingerprint F] [--port N]
//     prepare-upload then upload each file (folders as "dir/sub/file"); --name renames the
//     n-th file in the announcement (to test a receiver's name checks); --extra-bytes sends N
//     more bytes than announced with the first file; --wrong-token uploads with a made-up token.
//     --fingerprint and --port: the identity and server port it claims (a random fingerprint
//     and 53317 otherwise), e.g. a `receive` peer's, which then answers the receiver's check.
//     Exit 0 when every answer was a success (a cancel counts when it was answered 200).
//   receive DIR [--port N] [--bind ADDR] [--pin P] [--decline] [--alias A] [--http] [--once]
//           [--fingerprint F] [--lowercase-fingerprint]
//     an HTTPS receiver (info, register, prepare-upload, upload, cancel) writing into DIR;
//     prints "listening" with its port and fingerprint first. --once: exit after one session.
//     The fingerprint it claims is its certificate's SHA-256 in upper-case hex (as the
//     official app writes it); --lowercase-fingerprint claims it in lower case, --fingerprint
//     claims another one (a lying device).
//   info HOST:PORT [--http]
//     GET /api/localsend/v2/info, with the certificate's SHA-256.
//   announce --alias A [--port N] [--interface ADDR] [--group G] [--udp-port N] [--listen S]
//            [--fingerprint F] [--http]
//     one multicast announcement (of a receiver on --port with fingerprint F, when given);
//     --listen S also prints the multicast answers for S seconds.
import { parseTarget, request } from './peer/client.mjs';
import { makeIdentity, DEFAULT_PORT } from './peer/identity.mjs';
import { send } from './peer/sender.mjs';
import { startReceiver } from './peer/receiver.mjs';
import { announce } from './peer/announce.mjs';

const FLAGS = new Set(['--decline', '--http', '--once', '--no-sha256', '--wrong-token',
  '--lowercase-fingerprint']);
const REPEATED = new Set(['--name']);

function parse (argv) {
  const positional = [];
  const options = { '--name': [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (FLAGS.has(name)) {
      options[name] = true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined)
      throw new Error(`${name} needs a value`);
    if (REPEATED.has(name))
      options[name].push(value);
    else
      options[name] = value;
  }
  return { positional, options };
}

function emit (event) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function integer (text, name) {
  if (text === undefined)
    return undefined;
  if (!/^\d+$/.test(text))
    throw new Error(`${name} must be a whole number`);
  return Number(text);
}

async function main () {
  const [mode, ...rest] = process.argv.slice(2);
  const { positional, options } = parse(rest);
  const protocol = options['--http'] ? 'http' : 'https';
  switch (mode) {
    case 'send': {
      const [where, ...files] = positional;
      if (!where)
        throw new Error('usage: send HOST:PORT FILE...');
      const result = await send(parseTarget(where, DEFAULT_PORT), files, {
        protocol,
        pin: options['--pin'],
        cancelAfter: integer(options['--cancel-after'], '--cancel-after'),
        alias: options['--alias'],
        names: options['--name'],
        noSha256: options['--no-sha256'],
        extraBytes: integer(options['--extra-bytes'], '--extra-bytes'),
        wrongToken: options['--wrong-token'],
        fingerprint: options['--fingerprint'],
        port: integer(options['--port'], '--port'),
      }, emit);
      emit({ event: 'done', ok: result.ok });
      return result.ok ? 0 : 1;
    }
    case 'receive': {
      const [dir] = positional;
      if (!dir)
        throw new Error('usage: receive DIR --port N');
      const identity = makeIdentity({ alias: options['--alias'] || 'LocalSend Peer', protocol });
      if (options['--lowercase-fingerprint'])
        identity.fingerprint = identity.fingerprint.toLowerCase();
      if (options['--fingerprint'])
        identity.fingerprint = options['--fingerprint'];
      const receiver = startReceiver({
        dir, identity,
        port: integer(options['--port'], '--port') ?? DEFAULT_PORT,
        bind: options['--bind'] || '0.0.0.0',
        pin: options['--pin'] ?? null,
        decline: !!options['--decline'],
        once: !!options['--once'],
      }, emit);
      const port = await receiver.listening;
      emit({ event: 'listening', port, protocol, alias: identity.alias,
        fingerprint: identity.fingerprint });
      const stop = () => receiver.close().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      await new Promise((resolve) => receiver.server.on('close', resolve));
      return 0;
    }
    case 'info': {
      const [where] = positional;
      if (!where)
        throw new Error('usage: info HOST:PORT');
      const { host, port } = parseTarget(where, DEFAULT_PORT);
      const answer = await request({ host, port, protocol, method: 'GET',
        path: '/api/localsend/v2/info' });
      emit({ event: 'info', status: answer.status, info: answer.json,
        certificate: answer.fingerprint });
      return answer.status === 200 ? 0 : 1;
    }
    case 'announce': {
      const identity = makeIdentity({ alias: options['--alias'] || 'LocalSend Peer',
        protocol: 'http' });
      identity.protocol = protocol;
      if (options['--fingerprint'])
        identity.fingerprint = options['--fingerprint'];
      await announce({
        identity,
        port: integer(options['--port'], '--port') ?? DEFAULT_PORT,
        group: options['--group'],
        udpPort: integer(options['--udp-port'], '--udp-port'),
        iface: options['--interface'] ?? null,
        listen: integer(options['--listen'], '--listen') ?? 0,
      }, emit);
      return 0;
    }
    default:
      throw new Error('usage: localsend-peer.mjs send|receive|info|announce ... (see the header)');
  }
}

main().then((code) => process.exit(code), (error) => {
  emit({ event: 'error', error: error.message });
  process.exit(2);
});
