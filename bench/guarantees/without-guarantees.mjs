#!/usr/bin/env node
// Makes a copy of a built checkout with some of Hivebase's guarantees taken out, to measure what
// they cost beside bench-peers' bare (issue 14). Never for use: the copy loses events or order.
//
//   node without-guarantees.mjs <built checkout> <dest> [outbox] [tiebreak]
//
// outbox    writes queue no `_outbox` row (the write's statement still binds the event's
//           parameters, so everything else about it is unchanged): no record events at all
// tiebreak  a sorted list does not break ties by insertion order (pages may repeat or skip rows)
//
// The copy hard-links every file (node_modules included) and replaces only the edited ones, so
// the checkout itself is never touched. Request logs need no copy: `logs.maxDays` 0 in settings.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const [source, dest, ...cuts] = process.argv.slice(2);
if (!source || !dest || cuts.some((cut) => !['outbox', 'tiebreak'].includes(cut))) {
  console.error('usage: node without-guarantees.mjs <built checkout> <dest> [outbox] [tiebreak]');
  process.exit(2);
}

const EDITS = {
  outbox: {
    file: 'libs/runtime/dist/outbox/outbox-record-writer.js',
    from: /return `INSERT INTO "_outbox" \("event"\) SELECT jsonb_build_object\(\$\{event\.join\(', '\)\}\) FROM \$\{from\}`;/,
    // the event's own typed parameters ($9::text, …) selected, so the statement still binds them
    to: 'return "SELECT " + (event.join(", ").match(/\\$\\d+::\\w+/g) ?? ["1"]).join(", ");',
  },
  tiebreak: {
    file: 'libs/records/dist/record-reader.js',
    from: /const orderBy = \[\s*order\?\.sql,\s*insertionOrder\s*\]\.filter\(Boolean\)\.join\(', '\);/,
    to: 'const orderBy = order?.sql ?? insertionOrder;',
  },
};

fs.rmSync(dest, { recursive: true, force: true });
execFileSync('cp', ['-al', path.resolve(source), path.resolve(dest)]);
for (const cut of cuts) {
  const { file, from, to } = EDITS[cut];
  const target = path.join(dest, file);
  const text = fs.readFileSync(target, 'utf8');
  if (!from.test(text)) throw new Error(`${cut}: ${file} no longer has the code this edit expects; update the edit`);
  fs.unlinkSync(target); // a hard link: writing in place would edit the checkout's own file
  fs.writeFileSync(target, text.replace(from, to));
  console.log(`${cut}: ${file} edited`);
}
