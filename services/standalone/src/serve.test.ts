import { describe, expect, it } from 'vitest';
import { baseUrl, startBanner } from './serve';

describe('startBanner', () => {
  const now = new Date(2026, 0, 2, 3, 4, 5);

  it("names the server, REST API and dashboard addresses, as PocketBase's does", () => {
    expect(startBanner('http://127.0.0.1:8090', { now })).toBe(
      '2026/01/02 03:04:05 Server started at http://127.0.0.1:8090\n' +
        '├─ REST API:  http://127.0.0.1:8090/api/\n' +
        '└─ Dashboard: http://127.0.0.1:8090/_/\n',
    );
  });

  it('colours only when asked (a terminal that has colours)', () => {
    expect(startBanner('http://127.0.0.1:8090', { now, colors: true })).toContain('\u001b[');
    expect(startBanner('http://127.0.0.1:8090', { now })).not.toContain('\u001b[');
  });
});

describe('baseUrl', () => {
  it.each([
    ['127.0.0.1', 8090, 'http://127.0.0.1:8090'],
    ['0.0.0.0', 80, 'http://0.0.0.0:80'],
    ['::1', 8090, 'http://[::1]:8090'],
  ])('%s:%i → %s', (host, port, url) => {
    expect(baseUrl(host, port)).toBe(url);
  });
});
