#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so there is no build step between a clone and `compound`.
require('tsx/cjs');
require('../client/cli.ts');
