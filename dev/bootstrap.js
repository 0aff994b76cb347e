// First step of `npm start` and `npm test` on a fresh clone: plain Node, because nothing is installed yet.
// Installs the npm packages (from the lockfile) and the local services' tools when they are missing.
const { execSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit' });

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.log('compound: installing npm packages (npm ci)…');
  run('npm ci --no-audit --no-fund');
}
run('bash dev/install-tools.sh');
