import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Measurement } from './measure';

export interface Row {
  scenario: string;
  connections: number;
  target: string;
  measured: Measurement;
}

export interface RunInfo {
  date: string;
  machine: string;
  node: string;
  commit: string;
  seconds: number;
  /** 1, 5 and 15-minute load averages at the end of the run. */
  loadAverage: string;
  /** The same at the start, when the run records it. */
  loadAverageAtStart?: string;
  /** One sentence on the data measured, e.g. `posts average 610 B per row`. */
  dataset: string;
}

/** The load averages now (1, 5, 15 minutes), to note how busy the machine was. */
export const loadAverageNow = (): string =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** Date, machine, Node, commit (marked when the working tree has changes) and load average now. */
export function runEnvironment(): Pick<RunInfo, 'date' | 'machine' | 'node' | 'commit' | 'loadAverage'> {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GB`,
    node: process.version,
    commit: `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes' : ''}`,
    loadAverage: loadAverageNow(),
  };
}

/** One measurement on one line, for progress output. */
export const summarize = (m: Measurement): string =>
  `${m.perSecond.toFixed(0)} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms` +
  (Object.keys(m.failures).length ? `, failures ${JSON.stringify(m.failures)}` : '');

const rate = (n: number) => Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const ratio = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');

/** CPU milliseconds per request, over every process of the measurement's `cpuSeconds`. */
export const cpuMsPerRequest = (m: Measurement): number =>
  (Object.values(m.cpuSeconds ?? {}).reduce((sum, seconds) => sum + seconds, 0) * 1000) / Math.max(m.requests, 1);
const cpuPerRequest = (m: Measurement) => (m.cpuSeconds && m.requests ? ms(cpuMsPerRequest(m)) : '');

function failures(measured: Measurement): string {
  const entries = Object.entries(measured.failures);
  return entries.length ? entries.map(([what, count]) => `${count}× ${what}`).join(', ') : '0';
}

/**
 * The results as a Markdown table, rows in the order given, each with its throughput and p50
 * latency as a ratio to its scenario's `baseline` row (the figure that matters), if it has one.
 * When runs recorded their CPU time, a column gives it per request, split by process below.
 */
export function renderReport(rows: Row[], info: RunInfo, baseline = 'direct'): string {
  const load = info.loadAverageAtStart
    ? `load average (1, 5, 15 min) ${info.loadAverageAtStart} at the start, ${info.loadAverage} at the end`
    : `load average (1, 5, 15 min) at the end ${info.loadAverage}`;
  const withCpu = rows.some((row) => row.measured.cpuSeconds);
  const lines = [
    `Run ${info.date}, ${info.machine}, Node ${info.node}, commit ${info.commit}, ${info.seconds} s per scenario`,
    `(after a warm-up), ${load}, ${info.dataset}.`,
    '',
    `| scenario | conns | target | req/s | p50 ms | p99 ms |${withCpu ? ' CPU ms/req |' : ''} non-2xx / errors | req/s ÷ ${baseline} | p50 ÷ ${baseline} |`,
    `| --- | --: | --- | --: | --: | --: |${withCpu ? ' --: |' : ''} --- | --: | --: |`,
  ];
  for (const row of rows) {
    const direct = rows.find((other) => other.scenario === row.scenario && other.target === baseline)?.measured;
    const isDirect = row.target === baseline;
    const m = row.measured;
    lines.push(
      `| ${row.scenario} | ${row.connections} | ${row.target} | ${rate(m.perSecond)} | ${ms(m.p50)} | ${ms(m.p99)} |${
        withCpu ? ` ${cpuPerRequest(m)} |` : ''
      } ${failures(m)} | ${
        isDirect || !direct ? '' : ratio(m.perSecond / direct.perSecond)
      } | ${isDirect || !direct ? '' : ratio(m.p50 / direct.p50)} |`,
    );
  }
  const split = rows.filter((row) => Object.keys(row.measured.cpuSeconds ?? {}).length > 1 && row.measured.requests);
  if (split.length > 0) {
    lines.push('', 'CPU ms per request by process:', '');
    for (const row of split) {
      const parts = Object.entries(row.measured.cpuSeconds ?? {})
        .filter(([, seconds]) => seconds > 0)
        .map(([name, seconds]) => `${name} ${ms((seconds * 1000) / row.measured.requests)}`);
      lines.push(`- ${row.target}, ${row.scenario}: ${parts.join(', ')}`);
    }
  }
  const samples = rows.filter((row) => row.measured.samples.length > 0);
  if (samples.length > 0) {
    lines.push('', 'Failure samples:', '');
    for (const row of samples) {
      for (const sample of row.measured.samples) lines.push(`- ${row.target}, ${row.scenario}: \`${sample}\``);
    }
  }
  const logged = rows.filter((row) => Object.keys(row.measured.serverLog).length > 0);
  if (logged.length > 0) {
    lines.push('', 'Server log warnings and errors during the measured runs:', '');
    for (const row of logged) {
      for (const [problem, count] of Object.entries(row.measured.serverLog)) {
        lines.push(`- ${row.target}, ${row.scenario}: ${count}× ${problem}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
