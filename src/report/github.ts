import type { AuditResult } from '../result/schema.js';
import { ciFindings } from './ci-findings.js';
import { publicResult } from './public-result.js';
import { ciPath } from './public-text.js';

// GitHub Actions workflow commands (docs.github.com: "Workflow commands for GitHub Actions"):
// `::error title=T::message` / `::warning ...` on stdout become annotations on the run and its pull request.
// Data escapes %, CR and LF; property values also ':' and ','.
const data = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const property = (s: string): string => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export interface AnnotationOptions {
  /** A repository file to attach the annotations to (e.g. the spec); without it they attach to the run. */
  file?: string;
}

/**
 * One workflow command per finding that needs attention: `error` for what failed the gate, `warning` for the
 * rest; passing and not-applicable analyzers print nothing. Reads only the result.
 * @example process.stdout.write(githubAnnotations(result, { file: 'specs/churn.yaml' }))
 */
export function githubAnnotations(result: AuditResult, opts: AnnotationOptions = {}): string {
  const r = publicResult(result);
  const lines = ciFindings(r)
    .filter((c) => c.standing !== 'ok')
    .map(({ finding: f, standing, headline }) => {
      const props = [
        ...(opts.file ? [`file=${property(ciPath(opts.file))}`] : []),
        `title=${property(`nnaudit ${r.model.name}: ${f.id}`)}`,
      ];
      const message = f.recommendation ? `${headline}\n${f.recommendation}` : headline;
      return `::${standing === 'gate' ? 'error' : 'warning'} ${props.join(',')}::${data(message)}`;
    });
  return lines.length ? `${lines.join('\n')}\n` : '';
}
