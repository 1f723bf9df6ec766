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
  loadAverage: string;
  rowBytes: number;
}

const rate = (n: number) => Math.round(n).toLocaleString('en-US').replace(/,/g, ' ');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));
const ratio = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');

function failures(measured: Measurement): string {
  const entries = Object.entries(measured.failures);
  return entries.length ? entries.map(([what, count]) => `${count}× ${what}`).join(', ') : '0';
}

/**
 * The results as a Markdown table: each scenario's direct row first, then each shape with its
 * throughput and p50 latency as a ratio to direct (the figure that matters).
 */
export function renderReport(rows: Row[], info: RunInfo): string {
  const lines = [
    `Run ${info.date}, ${info.machine}, Node ${info.node}, commit ${info.commit}, ${info.seconds} s per scenario`,
    `(after a warm-up), 1-minute load average at the end ${info.loadAverage}, posts average ${info.rowBytes} B per row.`,
    '',
    '| scenario | conns | target | req/s | p50 ms | p99 ms | non-2xx / errors | req/s ÷ direct | p50 ÷ direct |',
    '| --- | --: | --- | --: | --: | --: | --- | --: | --: |',
  ];
  for (const row of rows) {
    const direct = rows.find((other) => other.scenario === row.scenario && other.target === 'direct')?.measured;
    const isDirect = row.target === 'direct';
    const m = row.measured;
    lines.push(
      `| ${row.scenario} | ${row.connections} | ${row.target} | ${rate(m.perSecond)} | ${ms(m.p50)} | ${ms(m.p99)} | ${failures(m)} | ${
        isDirect || !direct ? '' : ratio(m.perSecond / direct.perSecond)
      } | ${isDirect || !direct ? '' : ratio(m.p50 / direct.p50)} |`,
    );
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
