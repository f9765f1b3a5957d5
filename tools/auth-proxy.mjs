#!/usr/bin/env node
// Loopback HTTP proxy that sets one `Authorization: Bearer <key>` header on every request and streams
// the answer back unchanged, SSE included (no buffering, no re-encoding). It exists for clients that
// cannot send a header themselves, such as the MCP conformance CLI (MCP.md §3: the CLI has no header
// flag, and the gateway has no test-only auth bypass, API.md §1.7).
//
// Usage: node tools/auth-proxy.mjs --listen 0 --target http://127.0.0.1:8080 [--bearer sk-eu_...]
//   --listen <port>   port on 127.0.0.1; 0 picks a free one (default 0)
//   --target <url>    upstream base URL; must be loopback (127.0.0.0/8, localhost, ::1). A path in it
//                     is prefixed to every request path.
//   --bearer <key>    the key; or the env var PROXY_BEARER (keeps it out of `ps`)
// Prints "listening <port>" on stdout once it accepts connections. Host and Origin pass through as the
// client sent them (the gateway's Origin / DNS-rebinding checks see the real values).
import http from 'node:http';
import net from 'node:net';

function fail(message) {
  console.error(`auth-proxy: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) fail(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    if (eq > 0) { out[arg.slice(2, eq)] = arg.slice(eq + 1); continue; }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) fail(`${arg} needs a value`);
    out[arg.slice(2)] = value;
    i++;
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
for (const key of Object.keys(args)) {
  if (!['listen', 'target', 'bearer'].includes(key)) fail(`unknown option --${key}`);
}

const listenPort = Number(args.listen ?? 0);
if (!Number.isInteger(listenPort) || listenPort < 0 || listenPort > 65535) fail(`bad --listen ${args.listen}`);

let target;
try { target = new URL(args.target ?? 'http://127.0.0.1:8080'); } catch { fail(`bad --target ${args.target}`); }
if (target.protocol !== 'http:') fail('the target must be an http:// URL');
const targetHost = target.hostname.replace(/^\[|\]$/g, '');
const isLoopback = targetHost === 'localhost'
  || (net.isIPv4(targetHost) && targetHost.startsWith('127.'))
  || (net.isIPv6(targetHost) && (targetHost === '::1' || /^::ffff:127\./i.test(targetHost)));
if (!isLoopback) fail('the target must be on loopback');
const targetPort = Number(target.port || 80);
const pathPrefix = target.pathname.replace(/\/+$/, '');

const bearer = args.bearer ?? process.env.PROXY_BEARER;
if (!bearer) fail('--bearer or PROXY_BEARER is required');
if (/[\r\n]/.test(bearer)) fail('the bearer must be one line');

// Hop-by-hop headers belong to one connection (RFC 9110 §7.6.1); Node sets its own.
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'upgrade']);

function forwardHeaders(raw, drop) {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (hopByHop.has(name) || drop.has(name)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}

const agent = new http.Agent({ keepAlive: true });
const dropOnRequest = new Set(['authorization']);
const dropOnResponse = new Set();

const server = http.createServer((req, res) => {
  const headers = forwardHeaders(req.rawHeaders, dropOnRequest);
  headers.push('Authorization', `Bearer ${bearer}`);
  const upstream = http.request({
    host: targetHost,
    port: targetPort,
    method: req.method,
    path: pathPrefix + req.url,
    headers,
    agent,
    setHost: false, // Host passes through as sent
  }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.statusMessage, forwardHeaders(up.rawHeaders, dropOnResponse));
    res.flushHeaders(); // an SSE stream may stay silent for a while after its headers
    up.on('error', () => { res.destroy(); });
    up.pipe(res); // chunk by chunk, with back-pressure; Node adds no buffering of its own
  });
  upstream.on('error', (err) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`auth-proxy: upstream error: ${err.code ?? err.message}\n`);
    } else {
      res.destroy();
    }
  });
  // A client that hangs up (e.g. closes an SSE stream) closes the upstream request too.
  res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
  req.pipe(upstream);
});

server.requestTimeout = 0; // long-lived streams are the point
server.headersTimeout = 60_000;
server.keepAliveTimeout = 5_000;
server.on('clientError', (err, socket) => { socket.destroy(); });

server.listen(listenPort, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => { server.close(); agent.destroy(); process.exit(0); });
}
