const fs = require('fs');
const path = require('path');

// Grafana's UI pulls in packages that ship only ES modules (d3-*, ol,
// react-calendar, ...; some as .mjs). Jest runs CommonJS, so SWC must
// transpile those too. Rather than keep a hand-written list that breaks on
// the next @grafana upgrade, list every installed package that declares
// "type": "module"; all other node_modules stay untransformed.
function esmPackages(dir = path.join(__dirname, 'node_modules')) {
  const found = [];
  const visit = (d, scope) => {
    for (const name of fs.readdirSync(d)) {
      if (name.startsWith('.')) {
        continue;
      }
      const full = path.join(d, name);
      if (!scope && name.startsWith('@')) {
        visit(full, name);
        continue;
      }
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(full, 'package.json'), 'utf8'));
        if (pkg.type === 'module') {
          found.push(scope ? `${scope}/${name}` : name);
        }
      } catch {
        // not a package folder
      }
    }
  };
  if (fs.existsSync(dir)) {
    visit(dir);
  }
  return found.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

// Component tests run in jsdom; tests/ about the dist layout ask for node in
// their @jest-environment docblock.
module.exports = {
  testEnvironment: 'jest-environment-jsdom',
  // A guard against hangs, not a speed check: the first run transpiles
  // @grafana/ui's ESM dependencies and, on 2 busy cores, one test that
  // renders a Combobox for the first time can take several seconds.
  testTimeout: 60000,
  setupFilesAfterEnv: ['<rootDir>/jest-setup.ts'],
  testMatch: ['<rootDir>/src/**/*.test.{ts,tsx}', '<rootDir>/tests/**/*.test.{ts,tsx}'],
  moduleNameMapper: {
    '\\.(css|scss|sass)$': '<rootDir>/tests/mocks/style.js',
    '^react-inlinesvg$': '<rootDir>/tests/mocks/react-inlinesvg.tsx',
  },
  transform: {
    '^.+\\.(t|j)sx?$|^.+\\.mjs$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'classic' } },
        },
      },
    ],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmPackages().join('|')})/)`],
};
