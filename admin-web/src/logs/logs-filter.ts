/** One hour's counts for the chart: requests that succeeded and that failed (status ≥ 400). */
export interface HourBar {
  /** `YYYY-MM-DD HH:00:00` (UTC), as `/api/logs/stats` names the hour. */
  date: string;
  ok: number;
  failed: number;
}

/** The hour range the chart is zoomed to (PocketBase dates), or null for everything. */
export interface Zoom {
  from: string;
  to: string;
}

const HIDE_SUPERUSERS = "data.auth != '_superusers'";

/** A single-quoted filter literal. */
const quote = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/**
 * The filter the logs page sends: the user's own (in parentheses, so its `||` stays inside), the
 * superusers' requests left out unless included, and the zoomed hours.
 */
export function logsFilter(options: { filter: string; includeSuperusers: boolean; zoom: Zoom | null }): string {
  const parts: string[] = [];
  if (options.filter.trim()) parts.push(`(${options.filter.trim()})`);
  if (!options.includeSuperusers) parts.push(HIDE_SUPERUSERS);
  if (options.zoom) parts.push(`created >= ${quote(options.zoom.from)} && created < ${quote(options.zoom.to)}`);
  return parts.join(' && ');
}

/** The stats' hour (`2026-01-02 10:00:00`) as the `created` bound it starts (`2026-01-02 10:00:00.000Z`). */
export const hourStart = (date: string) => `${date}.000Z`;

/** The hour after `date`, as a `created` bound. */
export function nextHour(date: string): string {
  const next = new Date(`${date.replace(' ', 'T')}Z`);
  next.setUTCHours(next.getUTCHours() + 1);
  return next.toISOString().replace('T', ' ');
}

/** Merges the two stats answers (succeeded, failed) into bars by hour, oldest first. */
export function hourBars(ok: { date: string; total: number }[], failed: { date: string; total: number }[]): HourBar[] {
  const bars = new Map<string, HourBar>();
  const bar = (date: string) => {
    let found = bars.get(date);
    if (!found) {
      found = { date, ok: 0, failed: 0 };
      bars.set(date, found);
    }
    return found;
  };
  for (const item of ok) bar(item.date).ok += item.total;
  for (const item of failed) bar(item.date).failed += item.total;
  return [...bars.values()].sort((a, b) => a.date.localeCompare(b.date));
}
