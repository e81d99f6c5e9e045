import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html/render-html.js';
import { sampleResult, sampleResults } from '../helpers/results.js';
import type { AuditResult } from '../../src/result/schema.js';

function svgs(html: string): string[] {
  return [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

/** Structural checks every report must pass, whatever the result. */
function checkReport(r: AuditResult, html: string): void {
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  for (const f of r.findings) {
    expect(html, f.id).toContain(`id="finding-${f.id}"`);
    // Only findings that are not a pass have a details box to link to.
    const detailed = f.status === 'fail' || f.status === 'warn' || f.status === 'error';
    expect(html.includes(`href="#finding-${f.id}"`), f.id).toBe(detailed);
    expect(html.includes(`<article class="finding status-${f.status}" id="finding-${f.id}"`), f.id).toBe(detailed);
  }
  // Reports get emailed: no host path of the auditing machine, no module loader error (the spec appendix quotes
  // the user's own spec verbatim, paths included: that is what they asked to audit).
  const outsideSpec = html.replace(/<pre class="spec">[\s\S]*?<\/pre>/, '');
  expect(outsideSpec).not.toMatch(/Cannot find (package|module)/);
  expect(outsideSpec).not.toMatch(/\/(work|home|tmp|Users)\/[^\s<]*\//);
  expect(html).toContain(`>${r.gate.verdict}</div>`);
  for (const svg of svgs(html)) {
    const valid = XMLValidator.validate(svg);
    expect(valid === true ? true : JSON.stringify(valid)).toBe(true);
  }
  // Self-contained: no script, no external URL (SVG namespaces are identifiers, not fetches).
  expect(html).not.toMatch(/<script/i);
  expect(html.replace(/xmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]+"/g, '')).not.toMatch(
    /(src|href)\s*=\s*"(https?:)?\/\//i,
  );
  expect(html).not.toMatch(/<link\b/i);
}

describe('HTML report', () => {
  it.each(sampleResults())('%s: every finding, well-formed SVG charts, self-contained', (_name, r) => {
    const html = renderHtml(r);
    checkReport(r, html);
    expect(svgs(html).length).toBeGreaterThan(0);
  });

  it('draws learning curves, gradient flow, dead units and the graph where the data exists', () => {
    const html = renderHtml(sampleResult('overfitting'));
    for (const title of [
      'Learning curve: loss',
      'Gradient flow',
      'network drawn neuron by neuron',
      'relu(z) over z',
      'shared bins',
    ]) {
      expect(html, title).toContain(title);
    }
    expect(html).toContain('validation loss rising'); // the shaded overfitting region
  });

  it('says so when a loaded model has no history', () => {
    const html = renderHtml(sampleResult('wine-loaded'));
    expect(html).toContain('No training history');
    checkReport(sampleResult('wine-loaded'), html);
  });

  it('shows an analyzer error and a run with zero findings', () => {
    const r = sampleResult('healthy');
    r.findings[0] = {
      ...r.findings[0]!,
      status: 'error',
      errorMessage: 'division by zero in layer x',
      evidence: [],
      recommendation: null,
    };
    const html = renderHtml(r);
    expect(html).toContain('The analyzer failed:</strong> division by zero in layer x');
    const empty = { ...sampleResult('healthy'), findings: [] };
    checkReport(empty, renderHtml(empty));
  });

  it('keeps a 60-layer model readable: sampled panels, graph in page-sized parts', () => {
    const r = sampleResult('vanishing-gradients');
    const base = r.model.layers;
    const many = Array.from({ length: 60 }, (_, i) => ({
      ...base[i % base.length]!,
      name: `block_${i}_a_very_long_layer_name_that_must_wrap_${i}`,
      inputs: i ? [`block_${i - 1}_a_very_long_layer_name_that_must_wrap_${i - 1}`] : [],
    }));
    r.model.layers = many;
    r.model.graph = {
      nodes: many.map((l) => ({ id: l.name, className: l.className })),
      edges: many.slice(1).map((l, i) => ({ from: many[i]!.name, to: l.name })),
    };
    const acts = r.measurements.activations[r.measurements.activations.length - 1]!;
    acts.layers = many.map((l, i) => ({ ...acts.layers[i % acts.layers.length]!, layer: l.name }));
    const html = renderHtml(r);
    checkReport(r, html);
    expect(html).toMatch(/Showing 6 of 60 layers/);
    expect(html).toMatch(/part 1 of 3/);
    expect(html).not.toContain('neuron by neuron'); // 60 layers: the layer graph, not the neuron drawing
    expect((html.match(/class="chart small"/g) ?? []).length).toBeLessThanOrEqual(24);
  });
});
