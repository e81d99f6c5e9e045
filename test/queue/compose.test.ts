import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/** `docker compose config` needs a Docker CLI plugin this machine lacks: check the file's shape here. */
describe('docker-compose.yml', () => {
  it('runs Redis without eviction, workers wired to Redis and SMTP, and a mail catcher', () => {
    const doc = YAML.parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { command?: string[]; environment?: Record<string, string>; image?: string; build?: string }>;
    };
    expect(Object.keys(doc.services).sort()).toEqual(['mailpit', 'redis', 'worker']);
    expect(doc.services['redis']!.command).toEqual(expect.arrayContaining(['--maxmemory-policy', 'noeviction']));
    expect(doc.services['worker']!.environment).toMatchObject({ REDIS_URL: 'redis://redis:6379', SMTP_URL: 'smtp://mailpit:1025', NNAUDIT_REPORTS_DIR: '/reports' });
    expect(doc.services['worker']!.build).toBe('.');
  });
});
