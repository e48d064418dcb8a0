'use strict';
// Lets a plain `node` child process run the TypeScript sources the e2e specs test: .ts files
// are compiled on require with @swc/core (the options of jest.config.js) and the @lib/*
// aliases resolve to libs/<name>/src. Used by role-process.ts to run a role (HSS, I-CSCF,
// P-CSCF) in its own process, for the specs that need one (a role that must outlive or be
// killed apart from the test runner, or be reached only over its sockets).
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..', '..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const m = /^@lib\/(sip|diameter|ims)(\/.*)?$/.exec(request);
  if (m) request = path.join(root, 'libs', m[1], 'src', m[2] || '');
  return resolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
