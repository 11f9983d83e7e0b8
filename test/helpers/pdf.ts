import zlib from 'node:zlib';

/**
 * Reading what Chromium's PDFs say, for tests (no PDF library is a dependency). Its content streams
 * are deflated and its fonts are subsets shown by glyph id (Identity-H), so the text is each `<hex> Tj`
 * run decoded through the ToUnicode map of the font selected with `/Fn size Tf`.
 */
export function pdfText(pdf: Buffer): string {
  const source = pdf.toString('latin1');
  const objects = new Map<string, string>();
  for (const m of source.matchAll(/(\d+) 0 obj\b([\s\S]*?)endobj/g)) objects.set(m[1]!, m[2]!);
  const streamOf = (body: string): string => {
    const start = body.indexOf('stream');
    if (start < 0) return '';
    const from = body[start + 6] === '\r' ? start + 8 : start + 7;
    const raw = Buffer.from(body.slice(from, body.lastIndexOf('endstream')), 'latin1');
    try {
      return zlib.inflateSync(raw).toString('latin1');
    } catch {
      return raw.toString('latin1');
    }
  };
  // Font resource name → its glyph → text map.
  const maps = new Map<string, Map<number, string>>();
  const cmapOf = (text: string) => {
    const map = new Map<number, string>();
    const utf16 = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');
    for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
      for (const m of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(parseInt(m[1]!, 16), utf16(m[2]!));
    for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g))
      for (const m of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
        const [from, to, base] = [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
        for (let g = from; g <= to; g++) map.set(g, String.fromCharCode(base + g - from));
      }
    return map;
  };
  for (const body of objects.values()) {
    const fonts = /\/Font\s*<<([^>]*)>>/.exec(body);
    if (!fonts) continue;
    for (const m of fonts[1]!.matchAll(/\/(\w+)\s+(\d+) 0 R/g)) {
      const font = objects.get(m[2]!) ?? '';
      const toUnicode = /\/ToUnicode (\d+) 0 R/.exec(font);
      if (toUnicode && !maps.has(m[1]!)) maps.set(m[1]!, cmapOf(streamOf(objects.get(toUnicode[1]!) ?? '')));
    }
  }
  const lines: string[] = [];
  for (const body of objects.values()) {
    if (!/\/Length/.test(body) || !/stream/.test(body)) continue;
    const content = streamOf(body);
    if (!/\bTf\b/.test(content)) continue;
    let font = new Map<number, string>();
    for (const m of content.matchAll(/\/(\w+) [\d.]+ Tf|<([0-9A-Fa-f]*)> Tj|\[([^\]]*)\]\s*TJ|\bET\b/g)) {
      if (m[1]) font = maps.get(m[1]) ?? new Map<number, string>();
      else if (m[2] !== undefined || m[3] !== undefined) {
        const hexes = m[2] !== undefined ? [m[2]] : [...m[3]!.matchAll(/<([0-9A-Fa-f]*)>/g)].map((h) => h[1]!);
        let text = '';
        for (const hex of hexes) for (let i = 0; i + 4 <= hex.length; i += 4) text += font.get(parseInt(hex.slice(i, i + 4), 16)) ?? '';
        lines.push(text);
      } else lines.push('\n');
    }
  }
  // Lines wrap wherever the layout put them: the text is returned with all white space as single spaces.
  // A font may draw "ff" or "fi" as one ligature glyph (U+FB00–FB06, as some Chromium builds' fonts do):
  // it reads as its letters.
  return lines
    .join('')
    .replace(/[\uFB00-\uFB06]/g, (ligature) => ligature.normalize('NFKC'))
    .replace(/\s+/g, ' ');
}

/** A tagged PDF: a structure tree, and the catalogue says the content is marked. */
export function isTaggedPdf(pdf: Buffer): boolean {
  const source = pdf.toString('latin1');
  return /\/StructTreeRoot \d+ 0 R/.test(source) && /\/MarkInfo\s*<<[^>]*\/Marked true/.test(source);
}

/** The structure types the PDF's tags use (/S /Table, /TH, /H1 …). */
export function pdfStructureTypes(pdf: Buffer): Set<string> {
  return new Set([...pdf.toString('latin1').matchAll(/\/S \/(\w+)/g)].map((m) => m[1]!));
}

/** The fill colours the pages paint with (`r g b rg`), as hex: a report's status colours show here. */
export function pdfFillColours(pdf: Buffer): Set<string> {
  const source = pdf.toString('latin1');
  const colours = new Set<string>();
  for (const m of source.matchAll(/stream\r?\n/g)) {
    const start = m.index + m[0].length;
    let content: string;
    try {
      content = zlib.inflateSync(Buffer.from(source.slice(start, source.indexOf('endstream', start)), 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    for (const c of content.matchAll(/([\d.]+) ([\d.]+) ([\d.]+) rg\b/g))
      colours.add(
        [c[1], c[2], c[3]]
          .map((v) =>
            Math.round(Number(v) * 255)
              .toString(16)
              .padStart(2, '0'),
          )
          .join(''),
      );
  }
  return colours;
}
