#!/usr/bin/env node
// The `hivebase` command. This committed file keeps its execute bit through every build, where
// the built dist/cli.js does not (swc writes it afresh without one), so `npx hivebase` runs.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('hivebase is not built yet: run `npm run build` (or `npm start`) in the repository first');
  process.exit(1);
}
require(cli);
