import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type UploadedFile, uploadedFile } from '@hivebase/contracts';
import { SNIFF_BYTES, sniffContentType, storedFileName } from '@hivebase/storage';

/**
 * Addresses a download may not reach unless allowed (PocketBase's safe client refuses
 * loopback, unspecified, private, link-local and multicast addresses), checked on the address
 * actually connected to, so a name resolving (or re-resolving) inward is refused too.
 */
const REFUSED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
] as const) {
  REFUSED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  REFUSED.addSubnet(network, prefix, 'ipv6');
}

/** Whether `address` is one a download refuses (IPv4-mapped IPv6 judged as its IPv4). */
export function isRefusedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return REFUSED.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return REFUSED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export interface DownloadFileOptions {
  /** Bytes at most; a bigger file is not taken. */
  maxSize: number;
  /** Loopback and private addresses allowed (`HB_OAUTH2_AVATAR_ALLOW_PRIVATE`, for tests and intranet IdPs). */
  allowPrivate: boolean;
  /** Whole download, redirects included (PocketBase: 10 s). */
  timeoutMs?: number;
}

export class DownloadFileError extends Error {}

const MAX_REDIRECTS = 5;

/**
 * Downloads a URL (an OAuth2 provider's avatar) into a temporary file, as PocketBase's
 * `safeFileFromURL`: http(s) only, refused addresses never connected to, redirects followed (each
 * checked), non-2xx/3xx answers refused, at most `maxSize` bytes. The file is named after the
 * URL's last path part as uploads are, its type sniffed. Call `dispose` once it is stored.
 */
export async function downloadFile(
  url: string,
  options: DownloadFileOptions,
): Promise<{ file: UploadedFile; dispose: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hb-download-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const abort = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  try {
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      const response = await get(current, options.allowPrivate, abort);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (hop >= MAX_REDIRECTS) throw new DownloadFileError('too many redirects');
        current = new URL(location, current);
        continue;
      }
      if (status < 200 || status > 399) {
        response.resume();
        throw new DownloadFileError(`failed to download ${current.href} (${status})`);
      }
      const declared = Number(response.headers['content-length']);
      if (declared > options.maxSize) {
        response.destroy();
        throw new DownloadFileError(`the file is larger than ${options.maxSize} bytes`);
      }
      const file = await save(response, dir, current, options.maxSize);
      return { file, dispose };
    }
  } catch (error) {
    await dispose();
    throw error;
  }
}

function get(url: URL, allowPrivate: boolean, signal: AbortSignal): Promise<IncomingMessage> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new DownloadFileError(`unsupported URL scheme ${url.protocol}`));
  }
  // An address literal is connected to without a lookup: check it here.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) !== 0 && isRefusedAddress(host)) {
    return Promise.reject(new DownloadFileError(`address ${host} is not allowed`));
  }
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const allowed = allowPrivate ? addresses : addresses.filter(({ address }) => !isRefusedAddress(address));
      const first = allowed[0];
      if (!first) return callback(new DownloadFileError(`${hostname} resolves to no allowed address`), '', 0);
      if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, first.address, first.family);
    });
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: 'GET', lookup, signal, headers: { accept: 'image/*' } }, resolve);
    request.on('error', reject);
    request.end();
  });
}

async function save(response: IncomingMessage, dir: string, url: URL, maxSize: number): Promise<UploadedFile> {
  const path = join(dir, 'download');
  const head: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxSize) return done(new DownloadFileError(`the file is larger than ${maxSize} bytes`));
      if (headLength < SNIFF_BYTES) {
        head.push(chunk.subarray(0, SNIFF_BYTES - headLength));
        headLength += Math.min(chunk.length, SNIFF_BYTES - headLength);
      }
      done(null, chunk);
    },
  });
  await pipeline(response, tap, createWriteStream(path));
  const sniffed = await sniffContentType(Buffer.concat(head));
  let originalName = basename(url.pathname);
  try {
    originalName = basename(decodeURIComponent(url.pathname));
  } catch {
    // a malformed escape: the name as it is
  }
  originalName ||= 'file';
  return uploadedFile({
    originalName,
    name: storedFileName(originalName, sniffed.ext),
    path,
    size,
    contentType: sniffed.mime,
  });
}
