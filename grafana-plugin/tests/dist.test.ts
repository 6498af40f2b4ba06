/**
 * @jest-environment node
 */
// Checks the real dist/ when one has been built (npm run build, or make
// plugin for the backend binaries too); skipped, saying so, when not.
import { spawnSync } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import path from 'path';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const SCRIPT = path.join(ROOT, 'scripts', 'check-dist.mjs');

const built = existsSync(path.join(DIST, 'plugin.json'));
const hasBackend = built && readdirSync(DIST).some((f) => f.startsWith('gpx_'));

function checkDist(...args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, DIST, ...args], { encoding: 'utf8' });
}

const describeBuilt = built ? describe : describe.skip;
const itBackend = hasBackend ? it : it.skip;

describeBuilt(built ? 'dist/' : 'dist/ (skipped: not built; run `npm run build` or `make plugin` first)', () => {
  it('passes check-dist for the frontend', () => {
    const res = checkDist('--frontend-only');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  itBackend(
    hasBackend
      ? 'passes check-dist with the backend binaries'
      : 'passes check-dist with the backend binaries (skipped: no gpx_* in dist/; run `make plugin`)',
    () => {
      const res = checkDist();
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
    }
  );

  it('carries the version of package.json and the id of src/plugin.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const src = JSON.parse(readFileSync(path.join(ROOT, 'src', 'plugin.json'), 'utf8'));
    const meta = JSON.parse(readFileSync(path.join(DIST, 'plugin.json'), 'utf8'));
    expect(meta.id).toBe(src.id);
    expect(meta.info.version).toBe(pkg.version);
    expect(meta.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('leaves React and the Grafana packages to Grafana (AMD dependencies, not bundled)', () => {
    const js = readFileSync(path.join(DIST, 'module.js'), 'utf8');
    const deps = /^define\((\[[^\]]*\])/.exec(js);
    expect(deps).not.toBeNull();
    const names: string[] = JSON.parse(deps![1]);
    expect(names).toEqual(expect.arrayContaining(['react', '@grafana/data', '@grafana/ui', '@grafana/runtime']));
    // Markers of a bundled React or Grafana UI.
    expect(js).not.toContain('__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED');
    expect(js).not.toContain('react.production');
    expect(js).not.toContain('grafana-ui');
  });
});
