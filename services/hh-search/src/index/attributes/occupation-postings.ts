/**
 * Occupation postings: per tenant and occupation id, the tenant's candidates of that occupation,
 * kept sorted the way the specialty branch ranks within one occupation (most years of experience
 * first, unknown years last, then by id). A search walks the postings of the occupations it matched
 * and stops once it has its window of candidates passing the filter, so its cost follows the window
 * and the filter's selectivity, not the size of the occupation.
 */

interface Posting {
  ids: number[];
  /** Sort key per entry: years of experience, −1 when unknown. */
  years: number[];
}

/** Does (ya, ia) come before (yb, ib)? Years descending, then id ascending. */
const before = (ya: number, ia: number, yb: number, ib: number) => ya > yb || (ya === yb && ia < ib);

export class OccupationPostings {
  private readonly byTenant = new Map<number, Map<number, Posting>>();
  private entries = 0;

  add(tenant: number, occupation: number, id: number, years: number): void {
    let t = this.byTenant.get(tenant);
    if (!t) this.byTenant.set(tenant, (t = new Map()));
    let p = t.get(occupation);
    if (!p) t.set(occupation, (p = { ids: [], years: [] }));
    const at = this.position(p, years, id);
    if (p.ids[at] === id && p.years[at] === years) return;
    p.ids.splice(at, 0, id);
    p.years.splice(at, 0, years);
    this.entries++;
  }

  remove(tenant: number, occupation: number, id: number, years: number): void {
    const t = this.byTenant.get(tenant);
    const p = t?.get(occupation);
    if (!t || !p) return;
    const at = this.position(p, years, id);
    if (p.ids[at] !== id) return;
    p.ids.splice(at, 1);
    p.years.splice(at, 1);
    this.entries--;
    if (p.ids.length === 0) {
      t.delete(occupation);
      if (t.size === 0) this.byTenant.delete(tenant);
    }
  }

  /** Candidates of the tenant holding this occupation. */
  size(tenant: number, occupation: number): number {
    return this.byTenant.get(tenant)?.get(occupation)?.ids.length ?? 0;
  }

  /**
   * Up to `limit` ids of the tenant's candidates in any of `occupations`, in posting order, each once,
   * passing `accept`: the postings are merged by the sort key, so candidates of equally weighted
   * occupations interleave by years as they would in one list.
   */
  take(tenant: number, occupations: readonly number[], limit: number, accept: (id: number) => boolean, seen: Set<number>): { id: number; occupation: number }[] {
    const t = this.byTenant.get(tenant);
    if (!t) return [];
    const lists = occupations.map((o) => ({ o, p: t.get(o), i: 0 })).filter((l): l is { o: number; p: Posting; i: number } => l.p !== undefined);
    const out: { id: number; occupation: number }[] = [];
    while (out.length < limit) {
      let best: (typeof lists)[number] | undefined;
      for (const l of lists) {
        if (l.i >= l.p.ids.length) continue;
        if (!best || before(l.p.years[l.i]!, l.p.ids[l.i]!, best.p.years[best.i]!, best.p.ids[best.i]!)) best = l;
      }
      if (!best) break;
      const id = best.p.ids[best.i++]!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (accept(id)) out.push({ id, occupation: best.o });
    }
    return out;
  }

  bytes(): number {
    // Two JS arrays of small numbers: ~8 bytes per element each, plus a map entry per posting.
    let postings = 0;
    for (const t of this.byTenant.values()) postings += t.size;
    return this.entries * 16 + postings * 120;
  }

  clear(): void {
    this.byTenant.clear();
    this.entries = 0;
  }

  /** First position whose entry does not come before (years, id). */
  private position(p: Posting, years: number, id: number): number {
    let lo = 0;
    let hi = p.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(p.years[mid]!, p.ids[mid]!, years, id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
