import { createHash } from 'node:crypto';
import type { AuditResult } from '../result/schema.js';
import { ciFindings, type CiStanding } from './ci-findings.js';
import { publicResult } from './public-result.js';
import { ciPath } from './public-text.js';
import type { Status } from '../result/vocabulary.js';

/** One issue of a GitLab Code Quality report (docs.gitlab.com: "Code Quality report format", a Code Climate subset). */
export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  location: { path: string; lines: { begin: number } };
}

export interface CodeQualityOptions {
  /** The repository file the issues point at (e.g. the spec). Default: the loaded model's location, else the model name. */
  path?: string;
}

// What failed the gate is critical (it fails the pipeline); other failures major, warnings minor.
function severity(standing: CiStanding, status: Status): CodeQualityIssue['severity'] {
  if (standing === 'gate') return 'critical';
  return status === 'fail' ? 'major' : 'minor';
}

/**
 * A GitLab Code Quality report (`artifacts: reports: codequality:`): one issue per finding that needs
 * attention. The fingerprint hashes the model name and the analyzer id only, so GitLab recognizes the same
 * issue across pipelines (and shows it as resolved when it goes away). Reads only the result.
 * @example writeFileSync('gl-code-quality-report.json', JSON.stringify(gitlabCodeQuality(result), null, 1))
 */
export function gitlabCodeQuality(result: AuditResult, opts: CodeQualityOptions = {}): CodeQualityIssue[] {
  const r = publicResult(result);
  // The model's location as recorded (a checkout-relative path stays, an outside one becomes its file name).
  const local =
    result.model.location !== null && !/^[a-z]+:\/\//i.test(result.model.location) ? result.model.location : null;
  const filePath = ciPath(opts.path ?? local ?? r.model.name);
  return ciFindings(r)
    .filter((c) => c.standing !== 'ok')
    .map(({ finding: f, standing, headline }) => ({
      description: `${r.model.name}: ${headline}`,
      check_name: `nnaudit.${f.id}`,
      fingerprint: createHash('sha256').update(`nnaudit\0${r.model.name}\0${f.id}`).digest('hex').slice(0, 32),
      severity: severity(standing, f.status),
      location: { path: filePath, lines: { begin: 1 } },
    }));
}
