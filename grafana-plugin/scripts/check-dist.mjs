#!/usr/bin/env node
// Checks a built plugin folder the way Grafana's plugin validator and
// Grafana's plugin loader would read it (the validator itself cannot be
// installed here). Prints every problem, one a line, and exits 1 if any.
//
//   node grafana-plugin/scripts/check-dist.mjs [DIST] [--frontend-only]
//
// DIST defaults to grafana-plugin/dist whatever the working directory.
// --frontend-only skips the backend binaries, for a dist/ that `npm run
// build` made before `go build` put gpx_* in it.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Grafana's rule for plugin ids: <org>-<name>-<type> or <org>-<type>.
export const PLUGIN_ID = /^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource)$/;
// The platforms the Makefile builds the backend for.
export const BACKEND_PLATFORMS = ['linux_amd64', 'linux_arm64'];
const PLACEHOLDERS = ['%VERSION%', '%TODAY%', '%PLUGIN_ID%'];
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Returns the problems found in the plugin folder `dist`; empty means it passes. */
export function checkDist(dist, { frontendOnly = false } = {}) {
  const problems = [];
  const add = (msg) => problems.push(msg);

  if (!existsSync(dist) || !statSync(dist).isDirectory()) {
    return [`${dist} is not a directory: build the plugin first (make plugin)`];
  }

  const pluginJsonPath = path.join(dist, 'plugin.json');
  if (!existsSync(pluginJsonPath)) {
    return ['plugin.json is missing: the build must copy src/plugin.json into dist/'];
  }
  const raw = readFileSync(pluginJsonPath, 'utf8');
  let meta;
  try {
    meta = JSON.parse(raw);
  } catch (err) {
    return [`plugin.json is not valid JSON: ${err.message}`];
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    return ['plugin.json must hold a JSON object'];
  }

  for (const p of PLACEHOLDERS) {
    if (raw.includes(p)) {
      add(`plugin.json still contains the placeholder ${p}: the build must replace it`);
    }
  }

  const str = (v) => typeof v === 'string' && v.trim() !== '';
  const info = typeof meta.info === 'object' && meta.info !== null ? meta.info : {};

  if (!str(meta.id)) {
    add('plugin.json: id is missing');
  } else if (!PLUGIN_ID.test(meta.id)) {
    add(`plugin.json: id "${meta.id}" does not match ${PLUGIN_ID} (<org>-<name>-<type>)`);
  } else if (str(meta.type) && !meta.id.endsWith(`-${meta.type}`)) {
    add(`plugin.json: id "${meta.id}" must end with its type "-${meta.type}"`);
  }
  if (!str(meta.type)) {
    add('plugin.json: type is missing');
  } else if (!['app', 'panel', 'datasource'].includes(meta.type)) {
    add(`plugin.json: type "${meta.type}" is not one of app, panel, datasource`);
  }
  if (!str(meta.name)) {
    add('plugin.json: name is missing');
  }
  if (typeof meta.info !== 'object' || meta.info === null) {
    add('plugin.json: info is missing');
  }
  if (!str(info.version)) {
    add('plugin.json: info.version is missing');
  } else if (!raw.includes('%VERSION%') && !SEMVER.test(info.version)) {
    add(`plugin.json: info.version "${info.version}" is not a semantic version like 1.2.3`);
  }
  if (!str(info.updated)) {
    add('plugin.json: info.updated is missing');
  } else if (!raw.includes('%TODAY%') && !DATE.test(info.updated)) {
    add(`plugin.json: info.updated "${info.updated}" is not a date like 2026-01-31`);
  }

  const inDist = (rel) => {
    const full = path.resolve(dist, rel);
    return full.startsWith(path.resolve(dist) + path.sep) && existsSync(full) && statSync(full).isFile();
  };
  const logos = typeof info.logos === 'object' && info.logos !== null ? info.logos : {};
  for (const size of ['small', 'large']) {
    const rel = logos[size];
    if (!str(rel)) {
      add(`plugin.json: info.logos.${size} is missing`);
    } else if (!inDist(rel)) {
      add(`plugin.json: info.logos.${size} "${rel}" is not a file in dist/`);
    }
  }
  if (info.screenshots !== undefined && !Array.isArray(info.screenshots)) {
    add('plugin.json: info.screenshots must be a list');
  }
  for (const [i, shot] of (Array.isArray(info.screenshots) ? info.screenshots : []).entries()) {
    const rel = shot?.path;
    if (!str(rel)) {
      add(`plugin.json: info.screenshots[${i}].path is missing`);
    } else if (!inDist(rel)) {
      add(`plugin.json: info.screenshots[${i}].path "${rel}" is not a file in dist/`);
    }
  }

  const deps = typeof meta.dependencies === 'object' && meta.dependencies !== null ? meta.dependencies : {};
  if (!str(deps.grafanaDependency)) {
    add('plugin.json: dependencies.grafanaDependency is missing (for example ">=12.0.0")');
  }

  const modulePath = path.join(dist, 'module.js');
  if (!existsSync(modulePath)) {
    add('module.js is missing: the frontend build must write dist/module.js');
  } else {
    const head = readFileSync(modulePath, 'utf8').trimStart().slice(0, 64);
    if (!head.startsWith('define(')) {
      add('module.js is not an AMD module (define(...)): Grafana cannot load it');
    }
  }

  if (!inDist('README.md')) {
    add('README.md is missing: the build must copy the plugin README into dist/');
  }

  if (meta.backend === true && !str(meta.executable)) {
    add('plugin.json: backend is true but executable is missing');
  }
  if (str(meta.executable)) {
    const exe = meta.executable;
    if (meta.backend !== true) {
      add(`plugin.json: executable "${exe}" is set but backend is not true, so Grafana would not start it`);
    }
    if (!exe.startsWith('gpx_')) {
      add(`plugin.json: executable "${exe}" must start with gpx_`);
    } else if (!frontendOnly) {
      for (const platform of BACKEND_PLATFORMS) {
        const file = path.join(dist, `${exe}_${platform}`);
        if (!existsSync(file)) {
          const [goos, goarch] = platform.split('_');
          add(`backend binary ${exe}_${platform} is missing: build it into dist/ (make plugin; GOOS=${goos} GOARCH=${goarch} go build -o dist/${exe}_${platform})`);
          continue;
        }
        if (!statSync(file).isFile()) {
          add(`backend binary ${exe}_${platform} is not a regular file`);
          continue;
        }
        try {
          accessSync(file, constants.X_OK);
          if ((statSync(file).mode & 0o111) === 0) {
            throw new Error('no execute bit');
          }
        } catch {
          add(`backend binary ${exe}_${platform} is not executable: chmod +x it`);
        }
      }
    }
  }

  return problems;
}

function main(argv) {
  const args = argv.filter((a) => !a.startsWith('--'));
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  for (const f of flags) {
    if (f !== '--frontend-only') {
      console.error(`check-dist: unknown flag ${f}; usage: check-dist.mjs [DIST] [--frontend-only]`);
      return 2;
    }
  }
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dist = path.resolve(args[0] ?? path.join(here, '..', 'dist'));
  const problems = checkDist(dist, { frontendOnly: flags.has('--frontend-only') });
  if (problems.length > 0) {
    for (const p of problems) {
      console.error(`check-dist: ${dist}: ${p}`);
    }
    console.error(`check-dist: ${problems.length} problem(s)`);
    return 1;
  }
  const meta = JSON.parse(readFileSync(path.join(dist, 'plugin.json'), 'utf8'));
  const backend = meta.executable && !flags.has('--frontend-only') ? `, ${meta.executable} for ${BACKEND_PLATFORMS.join(', ')}` : '';
  console.log(`check-dist: ${dist}: ok (${meta.id} ${meta.info.version}${backend})`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
