import { z } from 'zod';

const cell = z.union([z.string(), z.number(), z.null()]);

/** Evidence is a tagged union the report knows how to draw. Layers are named by their model names. */
export const evidenceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('table'),
    title: z.string(),
    columns: z.array(z.object({ key: z.string(), label: z.string(), unit: z.string().optional() })),
    rows: z.array(z.record(z.string(), cell)),
    /** Row indices the report highlights (the offending layers). */
    highlight: z.array(z.number()).default([]),
  }),
  z.object({
    kind: z.literal('series'),
    /** A stable id (result/vocabulary.ts EVIDENCE_IDS) for evidence other outputs reuse; titles are prose. */
    id: z.string().optional(),
    title: z.string(),
    xLabel: z.string(),
    yLabel: z.string(),
    x: z.array(z.number()),
    logY: z.boolean().default(false),
    series: z.array(z.object({ name: z.string(), values: z.array(z.number().nullable()) })),
    markers: z.array(z.object({ x: z.number(), label: z.string() })).default([]),
    regions: z.array(z.object({ from: z.number(), to: z.number(), label: z.string() })).default([]),
    /** Horizontal reference lines (a threshold, chance level): the chart keeps them on its scale. */
    levels: z.array(z.object({ y: z.number(), label: z.string() })).default([]),
  }),
  z.object({
    kind: z.literal('bars'),
    title: z.string(),
    labels: z.array(z.string()),
    values: z.array(z.number().nullable()),
    unit: z.string(),
    logY: z.boolean().default(false),
    threshold: z.number().nullable().default(null),
    /** Which side of the threshold is the problem: 'below' for a floor (update sizes too small). */
    thresholdSide: z.enum(['above', 'below']).default('above'),
  }),
  z.object({
    kind: z.literal('histogram'),
    title: z.string(),
    xLabel: z.string(),
    edges: z.array(z.number()),
    counts: z.array(z.number()),
  }),
  z.object({
    kind: z.literal('heatmap'),
    title: z.string(),
    xLabel: z.string(),
    yLabel: z.string(),
    xLabels: z.array(z.string()),
    yLabels: z.array(z.string()),
    values: z.array(z.array(z.number().nullable())),
    valueLabel: z.string(),
    logScale: z.boolean().default(false),
    /** 'badness' (red) only where high means broken (dead share); 'magnitude' (neutral blues) for sizes like norms. */
    palette: z.enum(['badness', 'magnitude']).default('badness'),
    /** The metric's natural range (a share: 0..1), so the colours do not stretch to the data's own minimum. */
    range: z.object({ min: z.number(), max: z.number() }).optional(),
  }),
]);
export type Evidence = z.input<typeof evidenceSchema>;
