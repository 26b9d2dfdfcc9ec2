#!/usr/bin/env node
// Entry of the `xaso` command: runs the bundle that `npm run build` makes from src/ (npm ci, npm start
// and npm test build it first).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/main.mjs', import.meta.url);
if (!existsSync(bundle)) {
  console.error('xaso: dist/main.mjs is missing: run "npm run build" first.');
  process.exit(1);
}
await import(bundle.href);
