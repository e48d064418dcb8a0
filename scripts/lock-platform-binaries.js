#!/usr/bin/env node
// Completes package-lock.json with the platform-specific optional binaries (@swc/core-*,
// @unrs/resolver-binding-*, ...) that a partial registry mirror cannot resolve: npm then
// leaves them out of the lock and `npm ci` refuses it ("Missing: ... from lock file").
// os/cpu/libc come from the package name, so npm skips each entry on other platforms.
// Run after every `npm install` that changes the lock: `node scripts/lock-platform-binaries.js`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const file = path.resolve(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pk = lock.packages;
const platform = /-(darwin|linux|win32|android|freebsd|openharmony|wasm32)-([a-z0-9]+)(?:-([a-z]+))?$/;
const added = [];

for (const [key, meta] of Object.entries(pk)) {
  for (const [dep, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const top = `node_modules/${dep}`;
    const nested = key ? `${key}/node_modules/${dep}` : top;
    if (pk[top] || pk[nested]) continue;
    const m = platform.exec(dep);
    if (!m) continue;
    const [, os, cpu, abi] = m;
    const entry = { version: range.replace(/^[\^~=]/, '') };
    if (meta.dev) entry.dev = true;
    entry.optional = true;
    if (os === 'wasm32') entry.cpu = ['wasm32'];
    else {
      entry.os = [os];
      entry.cpu = [cpu];
      if (os === 'linux' && abi) entry.libc = [abi.startsWith('musl') ? 'musl' : 'glibc'];
    }
    pk[top] = entry;
    added.push(dep);
  }
}

const sorted = { '': pk[''] };
for (const k of Object.keys(pk).filter(Boolean).sort()) sorted[k] = pk[k];
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`lock: ${added.length} platform binaries added${added.length ? `: ${added.join(', ')}` : ''}`);
