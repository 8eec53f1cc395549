import { describe, expect, it } from 'vitest';
import { buildTaxonomyRows } from '../src/load.js';
import { defaultDataDir, readCrosswalk } from '../src/sources.js';

describe('shipped taxonomy files', () => {
  it('parse into the expected sizes, and every crosswalk link resolves', () => {
    const rows = buildTaxonomyRows(); // throws when a crosswalk code or ESCO label matches nothing
    const by = (s: string) => rows.occupations.filter((o) => o.source === s).length;
    expect(by('onet')).toBe(1016);
    expect(by('esco')).toBe(2942);
    expect(by('cbo')).toBe(2719);
    expect(rows.skills.length).toBeGreaterThan(30_000);
    expect(rows.skills.filter((s) => s.hot).length).toBeGreaterThan(10_000);
    // alias_norm is unique per occupation (the table's primary key).
    const keys = new Set(rows.aliases.map((a) => `${a.norm}\u0000${a.occ}`));
    expect(keys.size).toBe(rows.aliases.length);
    expect(rows.crosswalkLinks).toBeGreaterThan(300);
  });

  it('crosswalk entries are unique and bilingual', () => {
    const cw = readCrosswalk(defaultDataDir);
    expect(new Set(cw.map((c) => c.key)).size).toBe(cw.length);
    expect(cw.length).toBeGreaterThanOrEqual(120);
    for (const c of cw) {
      expect(c.en.length, c.key).toBeGreaterThan(0);
      expect(c.pt.length, c.key).toBeGreaterThan(0);
      expect(c.cbo.length, c.key).toBeGreaterThan(0);
      expect(c.skillsPt.length, c.key).toBeGreaterThan(0);
    }
  });
});
