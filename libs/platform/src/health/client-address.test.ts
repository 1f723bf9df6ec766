import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { clientHeaderLines, expandIp, possibleProxyHeader, realIp } from './client-address';

/** A request as Fastify hands it over: `ip` already resolved, header lines kept apart. */
function requestWith(ip: string, lines: Record<string, string[]>): FastifyRequest {
  const headers = Object.fromEntries(Object.entries(lines).map(([name, values]) => [name, values.join(', ')]));
  return { ip, headers, raw: { headersDistinct: lines } } as unknown as FastifyRequest;
}

describe('expandIp', () => {
  it.each([
    ['198.51.100.1', '198.51.100.1'],
    [' 198.51.100.1 ', '198.51.100.1'],
    ['::1', '0000:0000:0000:0000:0000:0000:0000:0001'],
    ['2001:DB8::8:800:200C:417A', '2001:0db8:0000:0000:0008:0800:200c:417a'],
    ['::ffff:192.0.2.128', '0000:0000:0000:0000:0000:ffff:c000:0280'],
    ['::', '0000:0000:0000:0000:0000:0000:0000:0000'],
    ['nonsense', null],
    ['', null],
  ])('%j → %j (Go netip StringExpanded)', (input, expected) => {
    expect(expandIp(input)).toBe(expected);
  });
});

describe('behind the gateway (one proxy hop)', () => {
  it("drops the gateway's own X-Forwarded-For entry before looking at the client's headers", () => {
    const direct = requestWith('203.0.113.9', { 'x-forwarded-for': ['203.0.113.9'] });
    expect(clientHeaderLines(direct, 'X-Forwarded-For', 1)).toEqual([]);
    expect(possibleProxyHeader(direct, ['X-Forwarded-For'], 1)).toBe('');

    const proxied = requestWith('203.0.113.9', { 'x-forwarded-for': ['198.51.100.1, 203.0.113.9'] });
    expect(clientHeaderLines(proxied, 'X-Forwarded-For', 1)).toEqual(['198.51.100.1']);
    expect(possibleProxyHeader(proxied, ['X-Forwarded-For'], 1)).toBe('X-Forwarded-For');
    expect(realIp(proxied, { headers: ['X-Forwarded-For'], useLeftmostIP: false }, 1)).toBe('198.51.100.1');
  });

  it('keeps every entry in the standalone shape', () => {
    const request = requestWith('127.0.0.1', { 'x-forwarded-for': ['198.51.100.1'] });
    expect(clientHeaderLines(request, 'x-forwarded-for', 0)).toEqual(['198.51.100.1']);
  });
});

describe('realIp', () => {
  it('reads the last line of the first trusted header that has one, else the remote address', () => {
    const request = requestWith('::ffff:10.0.0.1', { 'x-real-ip': ['198.51.100.1', '198.51.100.2'] });
    expect(realIp(request, { headers: ['X-Missing', 'X-Real-IP'], useLeftmostIP: false }, 0)).toBe('198.51.100.2');
    expect(realIp(request, { headers: [], useLeftmostIP: false }, 0)).toBe('10.0.0.1');
    const invalid = requestWith('10.0.0.1', { 'x-real-ip': ['unknown'] });
    expect(realIp(invalid, { headers: ['X-Real-IP'], useLeftmostIP: true }, 0)).toBe('10.0.0.1');
  });
});
