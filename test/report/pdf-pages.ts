import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The printed page's margins (report.css @page): 14 mm top, 16 mm bottom, on A4 (297 mm). */
const MM = 72 / 25.4;
const TOP_MARGIN = 14 * MM;
const BOTTOM_MARGIN = 16 * MM;

/**
 * How far down each printed page its content reaches, as a share of the page's content height (0 = empty, 1 =
 * full), from the lowest text item on the page (charts are SVG with their axis labels and legends as text, so a
 * chart's foot is text too). The page number in the bottom margin is left out.
 */
export async function pageFills(pdf: Uint8Array): Promise<number[]> {
  const doc = await getDocument({ data: pdf.slice(), useSystemFonts: false, isEvalSupported: false }).promise;
  try {
    const fills: number[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const [, , , height] = page.view as [number, number, number, number];
      const content = await page.getTextContent();
      let lowest = height - TOP_MARGIN;
      for (const item of content.items) {
        if (!('transform' in item) || !item.str.trim()) continue;
        const y = item.transform[5] as number; // baseline, from the page's bottom edge
        if (y < BOTTOM_MARGIN) continue; // the page number
        lowest = Math.min(lowest, y);
      }
      fills.push((height - TOP_MARGIN - lowest) / (height - TOP_MARGIN - BOTTOM_MARGIN));
      page.cleanup();
    }
    return fills;
  } finally {
    await doc.destroy();
  }
}
