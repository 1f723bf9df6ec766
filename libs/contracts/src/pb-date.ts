// The text up to the second of the second formatted last: dates within the same second (every
// request's log entry, every write's autodates under load) share it, and only their
// milliseconds are formatted.
let stampSecond = Number.NaN;
let stampPrefix = '';

/** `date` in PocketBase's wire format, `2006-01-02 15:04:05.000Z` (UTC). */
export function pbDateTime(date: Date): string {
  const ms = date.getTime();
  const second = Math.floor(ms / 1000);
  if (second !== stampSecond) {
    const iso = date.toISOString();
    // Years outside 0000-9999 read ±YYYYYY: not worth a cache.
    if (iso.length !== 24) return iso.replace('T', ' ');
    stampSecond = second;
    stampPrefix = `${iso.slice(0, 10)} ${iso.slice(11, 20)}`;
  }
  const milli = ms - second * 1000;
  return `${stampPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
