// Fails the build when the JavaScript that index.html loads up front (entry plus modulepreloads)
// weighs more than the budget gzipped; lazy pages are not counted. Prints the measure either way.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 350 * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [...html.matchAll(/(?:src|href)="\/_\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]);
let total = 0;
for (const script of new Set(scripts)) total += gzipSync(readFileSync(join(dist, script))).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(`initial JS: ${kb(total)} gzipped in ${scripts.length} file(s) (budget ${kb(BUDGET_BYTES)})`);
if (total > BUDGET_BYTES) {
  console.error('initial JS over budget: move a page behind React.lazy');
  process.exit(1);
}
