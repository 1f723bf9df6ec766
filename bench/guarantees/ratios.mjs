#!/usr/bin/env node
// Summarises run.sh's results: per config and scenario, req/s and CPU per request (means over the
// rounds) and the ratio to bare, taken round by round (each round's bare ran minutes from it).
//   node ratios.mjs <results dir> [from] [until]   (ISO times: only runs that started in between)
import fs from 'node:fs';
import path from 'node:path';

const [dir, from = '', until = '9999'] = process.argv.slice(2);
const runs = fs
  .readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')))
  .filter((run) => /-r\d+$/.test(run.label) && run.date >= from && run.date < until);
const rows = new Map(); // config -> scenario -> round -> row
for (const run of runs) {
  const [, config, round] = run.label.match(/^(.*)-r(\d+)$/);
  for (const row of run.rows) {
    const byScenario = rows.get(config) ?? new Map();
    rows.set(config, byScenario);
    const byRound = byScenario.get(row.scenario) ?? new Map();
    byScenario.set(row.scenario, byRound);
    byRound.set(round, row);
  }
}
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
const bare = rows.get('bare') ?? new Map();
const scenarios = [...bare.keys()];
console.log(`| config | ${scenarios.map((s) => `${s} req/s · app/db ms · ÷ bare`).join(' | ')} |`);
console.log(`| --- |${scenarios.map(() => ' --- |').join('')}`);
for (const [config, byScenario] of rows) {
  const cells = scenarios.map((scenario) => {
    const mine = byScenario.get(scenario);
    if (!mine) return '';
    const list = [...mine.values()];
    const ratios = [...mine].flatMap(([round, row]) => {
      const base = bare.get(scenario)?.get(round);
      return base ? [row.rps / base.rps] : [];
    });
    const cpu = `${mean(list.map((r) => r.appCpuMsPerReq)).toFixed(2)}/${mean(list.map((r) => r.dbCpuMsPerReq)).toFixed(2)}`;
    const ratio = config === 'bare' ? '' : ` · **${ratios.map((r) => r.toFixed(2)).join(' / ')}**`;
    return `${Math.round(mean(list.map((r) => r.rps)))} · ${cpu}${ratio}`;
  });
  console.log(`| ${config} | ${cells.join(' | ')} |`);
}
