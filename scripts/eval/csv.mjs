/**
 * RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. One linear pass that
 * slices whole runs between delimiters (per-character string building took seconds on 15 MB).
 * @returns {string[][]} rows of fields
 */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not part of the first header
  if (i >= n) return rows;
  for (;;) {
    let field;
    if (text[i] === '"') {
      // Quoted: runs up to each quote; a doubled quote is a literal one.
      const parts = [];
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) throw new Error('CSV: unterminated quoted field');
        parts.push(text.slice(from, q));
        if (text[q + 1] === '"') {
          parts.push('"');
          from = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      field = parts.join('');
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      field = text.slice(i, j);
      i = j;
    }
    row.push(field);
    if (i >= n) {
      rows.push(row);
      return rows;
    }
    const c = text[i];
    if (c === ',') {
      i++;
      continue;
    }
    if (c !== '\n' && c !== '\r') throw new Error(`CSV: unexpected character after a quoted field at offset ${i}`);
    i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    rows.push(row);
    row = [];
    if (i >= n) return rows;
  }
}

/** Rows as objects keyed by the header row's names (blank lines skipped). */
export function parseCsvObjects(text) {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.filter((r) => r.length > 1 || r[0] !== '').map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
