import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { writeConsumerProject } from '../helpers/consumer-project.js';
import { has } from '../helpers/requirements.js';

// Full tier only (not in vitest.config.ts UNIT_TESTS): packs the real tarball and installs it offline.
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}
const required = process.env['NNAUDIT_REQUIRE_ALL'] === '1';

describe('the packed package installs offline into another project and runs', () => {
  it('npm pack, npm ci --offline (no browser download), npx nnaudit audit, npx nnaudit render --pdf', async (ctx) => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnaudit-consumer-'));
    // dist/ is built by `npm test`'s pretest; --ignore-scripts packs it as is.
    const pack = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], ROOT);
    expect(pack.code, pack.stderr).toBe(0);
    const tarball = path.join(tmp, readdirSync(tmp).find((f) => f.endsWith('.tgz'))!);

    const project = path.join(tmp, 'consumer');
    mkdirSync(project);
    writeConsumerProject(project, tarball);
    // A fresh HOME: anything an install script downloaded (e.g. ~/.cache/puppeteer) would land here.
    const home = path.join(tmp, 'home');
    mkdirSync(home);
    const cache = (await run('npm', ['config', 'get', 'cache'], ROOT)).stdout.trim();
    const env = { HOME: home, npm_config_cache: cache };
    const install = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project, env);
    if (install.code !== 0 && /ENOTCACHED/.test(install.stderr) && !required) {
      process.stdout.write(
        `[skipped] offline install: the npm cache lacks a dependency (run npm ci once online): ${install.stderr.split('\n')[1] ?? ''}\n`,
      );
      ctx.skip();
    }
    expect(install.code, install.stderr).toBe(0);
    expect(existsSync(path.join(project, 'node_modules', 'puppeteer-core'))).toBe(true);
    expect(
      existsSync(path.join(project, 'node_modules', 'puppeteer')),
      'the full puppeteer (which downloads Chrome) must not be installed',
    ).toBe(false);
    expect(existsSync(path.join(home, '.cache', 'puppeteer')), 'no browser downloaded at install').toBe(false);

    const spec = path.join('node_modules', 'nnaudit', 'fixtures', 'specs', 'iris.json');
    const audit = await run('npx', ['--offline', 'nnaudit', 'audit', spec, '--out', 'out', '-q'], project, env);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/nnaudit iris .*: PASS/);
    expect(JSON.parse(readFileSync(path.join(project, 'out', 'result.json'), 'utf8'))).toMatchObject({
      gate: { verdict: 'PASS' },
    });

    if (!has('chromium')) {
      if (required) throw new Error('Chromium is required (NNAUDIT_REQUIRE_ALL) for the PDF part');
      process.stdout.write(
        '[skipped] offline install: render --pdf needs Chromium (apt-get install -y chromium, or PUPPETEER_EXECUTABLE_PATH)\n',
      );
      return;
    }
    const render = await run('npx', ['--offline', 'nnaudit', 'render', 'out/result.json', '--pdf'], project, env);
    expect(render.code, render.stderr).toBe(0);
    expect(
      readFileSync(path.join(project, 'out', 'report.pdf'))
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  }, 900_000);
});
