import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';

/** The trusted-proxy settings PocketBase's RealIP reads. */
export interface TrustedProxy {
  headers: readonly string[];
  useLeftmostIP: boolean;
}

/** An IP address as Go's `netip.Addr.StringExpanded` writes it (IPv6 in 8 zero-padded groups); null if not one. */
export function expandIp(value: string): string | null {
  const ip = value.trim();
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return null;
  let text = ip.toLowerCase();
  const embedded = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (embedded) {
    const [a, b, c, d] = embedded.slice(1).map(Number);
    text = `${text.slice(0, embedded.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const first = head ? head.split(':') : [];
  const last = tail ? tail.split(':') : [];
  const groups = tail === undefined ? first : [...first, ...Array(8 - first.length - last.length).fill('0'), ...last];
  return groups.map((group) => group.padStart(4, '0')).join(':');
}

/** Each line of a header; Node joins repeated lines of most headers into one, `headersDistinct` does not. */
function headerLines(request: FastifyRequest, name: string): string[] {
  // Injected test requests have no headersDistinct.
  const distinct = (request.raw.headersDistinct as NodeJS.Dict<string[]> | undefined)?.[name];
  if (distinct) return [...distinct];
  const joined = request.headers[name];
  return joined === undefined ? [] : Array.isArray(joined) ? joined : [joined];
}

/**
 * The lines of header `name` as the client sent them. Behind `proxyHops` proxies of our own (the
 * gateway), the last `X-Forwarded-For` entries are theirs, not the client's, so they are dropped.
 */
export function clientHeaderLines(request: FastifyRequest, name: string, proxyHops: number): string[] {
  const lines = headerLines(request, name.toLowerCase());
  if (proxyHops === 0 || name.toLowerCase() !== 'x-forwarded-for' || lines.length === 0) return lines;
  const entries = lines.join(',').split(',');
  const clientEntries = entries.slice(0, Math.max(0, entries.length - proxyHops)).join(',');
  return clientEntries.trim() === '' ? [] : [clientEntries];
}

/** The address the request came from (the gateway reports the client's); IPv4 clients without the `::ffff:` prefix. */
export function remoteIp(request: FastifyRequest): string {
  const ip = request.ip.startsWith('::ffff:') && isIPv4(request.ip.slice(7)) ? request.ip.slice(7) : request.ip;
  return expandIp(ip) ?? '';
}

/**
 * PocketBase's RealIP: the first configured trusted-proxy header the client sent decides (its last
 * line; the rightmost valid IP in it, or the leftmost with `useLeftmostIP`), else the remote address.
 */
export function realIp(request: FastifyRequest, trustedProxy: TrustedProxy, proxyHops: number): string {
  for (const header of trustedProxy.headers) {
    const lines = clientHeaderLines(request, header, proxyHops);
    const last = lines[lines.length - 1];
    if (!last) continue;
    const ips = last.split(',');
    if (!trustedProxy.useLeftmostIP) ips.reverse();
    for (const candidate of ips) {
      const ip = expandIp(candidate);
      if (ip) return ip;
    }
  }
  return remoteIp(request);
}

// PocketBase's common proxy headers. Its list also names X-Forwarded-For, but spelled with a
// non-breaking hyphen (U+2011) that no request header can match, so in effect it never reports it.
const COMMON_PROXY_HEADERS = ['CF-Connecting-IP', 'Fly-Client-IP'];

/**
 * PocketBase's loose "behind a reverse proxy?" hint for the dashboard: the first of the trusted
 * proxy headers, then common proxy headers, that the client sent non-empty; "" when none.
 */
export function possibleProxyHeader(request: FastifyRequest, trustedHeaders: readonly string[], proxyHops: number) {
  for (const header of [...trustedHeaders, ...COMMON_PROXY_HEADERS]) {
    const [first] = clientHeaderLines(request, header, proxyHops);
    if (first) return header;
  }
  return '';
}
