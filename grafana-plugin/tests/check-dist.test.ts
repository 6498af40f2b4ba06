/**
 * @jest-environment node
 */
// Tests scripts/check-dist.mjs as the Makefile runs it: a real node process
// on a plugin folder laid out in a temporary directory.
import { spawnSync } from 'child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

const SCRIPT = path.join(__dirname, '..', 'scripts', 'check-dist.mjs');
const SOURCE_PLUGIN_JSON = JSON.parse(readFileSync(path.join(__dirname, '..', 'src', 'plugin.json'), 'utf8'));

type Json = Record<string, any>;

function goodPluginJson(): Json {
  // The real src/plugin.json with the placeholders filled as the build does.
  const meta = structuredClone(SOURCE_PLUGIN_JSON);
  meta.info.version = '1.2.3';
  meta.info.updated = '2026-11-25';
  return meta;
}

let root: string;
let dist: string;

function writeLayout(meta: Json | string = goodPluginJson()) {
  mkdirSync(path.join(dist, 'img'), { recursive: true });
  writeFileSync(path.join(dist, 'plugin.json'), typeof meta === 'string' ? meta : JSON.stringify(meta, null, 2));
  writeFileSync(path.join(dist, 'img', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(path.join(dist, 'module.js'), 'define(["react"],(e)=>({}));');
  writeFileSync(path.join(dist, 'README.md'), '# Quorate\n');
  for (const platform of ['linux_amd64', 'linux_arm64']) {
    const file = path.join(dist, `gpx_quorate_${platform}`);
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o755);
  }
}

function run(...args: string[]) {
  const res = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'quorate-check-dist-'));
  dist = path.join(root, 'dist');
  mkdirSync(dist);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('check-dist', () => {
  it('passes a complete layout', () => {
    writeLayout();
    const { code, stdout, stderr } = run(dist);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('ok (quorate-datasource 1.2.3, gpx_quorate for linux_amd64, linux_arm64)');
  });

  it('passes a frontend-only layout with --frontend-only, not without', () => {
    writeLayout();
    rmSync(path.join(dist, 'gpx_quorate_linux_amd64'));
    rmSync(path.join(dist, 'gpx_quorate_linux_arm64'));
    expect(run(dist, '--frontend-only').code).toBe(0);
    expect(run(dist).code).toBe(1);
  });

  it('accepts screenshots that are in dist', () => {
    const meta = goodPluginJson();
    meta.info.screenshots = [{ name: 'Status', path: 'img/logo.svg' }];
    writeLayout(meta);
    expect(run(dist).code).toBe(0);
  });

  type Case = { name: string; breakIt: () => void; want: string | RegExp };
  const withMeta = (edit: (m: Json) => void) => () => {
    const meta = goodPluginJson();
    edit(meta);
    writeFileSync(path.join(dist, 'plugin.json'), JSON.stringify(meta));
  };
  const cases: Case[] = [
    { name: 'no dist directory', breakIt: () => rmSync(dist, { recursive: true }), want: 'is not a directory' },
    { name: 'plugin.json missing', breakIt: () => rmSync(path.join(dist, 'plugin.json')), want: 'plugin.json is missing' },
    {
      name: 'plugin.json not JSON',
      breakIt: () => writeFileSync(path.join(dist, 'plugin.json'), '{"id": "quorate-datasource",'),
      want: 'plugin.json is not valid JSON',
    },
    { name: 'id missing', breakIt: withMeta((m) => delete m.id), want: 'plugin.json: id is missing' },
    { name: 'type missing', breakIt: withMeta((m) => delete m.type), want: 'plugin.json: type is missing' },
    { name: 'name missing', breakIt: withMeta((m) => delete m.name), want: 'plugin.json: name is missing' },
    {
      name: 'info.version missing',
      breakIt: withMeta((m) => delete m.info.version),
      want: 'plugin.json: info.version is missing',
    },
    {
      name: 'info.updated missing',
      breakIt: withMeta((m) => delete m.info.updated),
      want: 'plugin.json: info.updated is missing',
    },
    {
      name: 'small logo missing',
      breakIt: withMeta((m) => delete m.info.logos.small),
      want: 'plugin.json: info.logos.small is missing',
    },
    { name: 'logos missing', breakIt: withMeta((m) => delete m.info.logos), want: 'info.logos.large is missing' },
    {
      name: 'logo not in dist',
      breakIt: () => rmSync(path.join(dist, 'img', 'logo.svg')),
      want: 'info.logos.small "img/logo.svg" is not a file in dist/',
    },
    {
      name: 'logo path escaping dist',
      breakIt: withMeta((m) => (m.info.logos.large = '../plugin.json')),
      want: 'info.logos.large "../plugin.json" is not a file in dist/',
    },
    {
      name: 'screenshot not in dist',
      breakIt: withMeta((m) => (m.info.screenshots = [{ name: 'Status', path: 'img/status.png' }])),
      want: 'info.screenshots[0].path "img/status.png" is not a file in dist/',
    },
    {
      name: 'amd64 binary missing',
      breakIt: () => rmSync(path.join(dist, 'gpx_quorate_linux_amd64')),
      want: 'backend binary gpx_quorate_linux_amd64 is missing',
    },
    {
      name: 'arm64 binary missing',
      breakIt: () => rmSync(path.join(dist, 'gpx_quorate_linux_arm64')),
      want: 'backend binary gpx_quorate_linux_arm64 is missing',
    },
    {
      name: 'binary not executable',
      breakIt: () => chmodSync(path.join(dist, 'gpx_quorate_linux_arm64'), 0o644),
      want: 'backend binary gpx_quorate_linux_arm64 is not executable',
    },
    {
      name: 'binary is a directory',
      breakIt: () => {
        rmSync(path.join(dist, 'gpx_quorate_linux_amd64'));
        mkdirSync(path.join(dist, 'gpx_quorate_linux_amd64'));
      },
      want: 'backend binary gpx_quorate_linux_amd64 is not a regular file',
    },
    {
      name: 'backend without executable',
      breakIt: withMeta((m) => delete m.executable),
      want: 'backend is true but executable is missing',
    },
    {
      name: 'executable without backend',
      breakIt: withMeta((m) => (m.backend = false)),
      want: 'executable "gpx_quorate" is set but backend is not true',
    },
    {
      name: 'executable without gpx_ prefix',
      breakIt: withMeta((m) => (m.executable = 'quorate')),
      want: 'executable "quorate" must start with gpx_',
    },
    { name: 'module.js missing', breakIt: () => rmSync(path.join(dist, 'module.js')), want: 'module.js is missing' },
    {
      name: 'module.js not AMD',
      breakIt: () => writeFileSync(path.join(dist, 'module.js'), 'export const plugin = {};'),
      want: 'module.js is not an AMD module',
    },
    {
      name: '%VERSION% left',
      breakIt: withMeta((m) => (m.info.version = '%VERSION%')),
      want: 'still contains the placeholder %VERSION%',
    },
    {
      name: '%TODAY% left',
      breakIt: withMeta((m) => (m.info.updated = '%TODAY%')),
      want: 'still contains the placeholder %TODAY%',
    },
    {
      name: 'version not semver',
      breakIt: withMeta((m) => (m.info.version = 'v1')),
      want: 'info.version "v1" is not a semantic version',
    },
    {
      name: 'updated not a date',
      breakIt: withMeta((m) => (m.info.updated = 'yesterday')),
      want: 'info.updated "yesterday" is not a date',
    },
    {
      name: 'id with capitals',
      breakIt: withMeta((m) => (m.id = 'Quorate-datasource')),
      want: 'id "Quorate-datasource" does not match',
    },
    { name: 'id without type suffix', breakIt: withMeta((m) => (m.id = 'quorate')), want: 'id "quorate" does not match' },
    {
      name: 'id with too many parts',
      breakIt: withMeta((m) => (m.id = 'acme-quorate-store-datasource')),
      want: 'id "acme-quorate-store-datasource" does not match',
    },
    {
      name: 'id suffix not the type',
      breakIt: withMeta((m) => (m.id = 'quorate-app')),
      want: 'id "quorate-app" must end with its type "-datasource"',
    },
    {
      name: 'grafanaDependency missing',
      breakIt: withMeta((m) => delete m.dependencies.grafanaDependency),
      want: 'dependencies.grafanaDependency is missing',
    },
    { name: 'README missing', breakIt: () => rmSync(path.join(dist, 'README.md')), want: 'README.md is missing' },
  ];

  it.each(cases)('fails on $name', ({ breakIt, want }) => {
    writeLayout();
    breakIt();
    const { code, stdout, stderr } = run(dist);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    if (typeof want === 'string') {
      expect(stderr).toContain(want);
    } else {
      expect(stderr).toMatch(want);
    }
  });

  it('reports every problem at once', () => {
    writeLayout();
    rmSync(path.join(dist, 'module.js'));
    rmSync(path.join(dist, 'gpx_quorate_linux_arm64'));
    withMeta((m) => delete m.name)();
    const { code, stderr } = run(dist);
    expect(code).toBe(1);
    expect(stderr).toContain('plugin.json: name is missing');
    expect(stderr).toContain('module.js is missing');
    expect(stderr).toContain('gpx_quorate_linux_arm64 is missing');
    expect(stderr).toContain('check-dist: 3 problem(s)');
  });

  it('refuses an unknown flag', () => {
    writeLayout();
    const { code, stderr } = run(dist, '--frontend');
    expect(code).toBe(2);
    expect(stderr).toContain('unknown flag --frontend');
  });
});
