import { localTime } from './calendar.ts';
import { OPEN_STATES } from './repository.ts';

/** What the statistics need of a dossier. */
export interface StatDossier {
  group: string;
  channel: string;
  state: string;
  fullyOnline: boolean;
  received_at: string | null;
  due_date: string | null;
  finished_at: string | null;
  payment_status?: string | null;
  /** transfer (VietQR) or cash. */
  payment_method?: string | null;
  /** 1 … 4 (3 and 4 count as satisfied). */
  rating?: number | null;
}

/** The figures officials are judged on (DOMAIN.md §2), for one commune or procedure. */
export interface StatRow {
  group: string;
  received: number;
  resolved: number;
  onTime: number;
  late: number;
  overdueBacklog: number;
  online: number;
  fullyOnline: number;
  /** Fees paid, and of those paid online (VietQR transfer). */
  paid: number;
  paidOnline: number;
  /** Ratings given, and of those satisfied or very satisfied. */
  rated: number;
  satisfied: number;
  /** Mean days from reception to result, over resolved dossiers (null when none). */
  avgDays: number | null;
}

const RESOLVED = ['done', 'returned'];

/** Sums dossiers by group; `today` (local date) decides the overdue backlog. Pure. */
export function computeStatistics(dossiers: readonly StatDossier[], today: string): { rows: StatRow[]; total: StatRow } {
  const by = new Map<string, StatRow & { daysSum: number }>();
  const row = (group: string) => {
    let r = by.get(group);
    if (!r) {
      r = { group, received: 0, resolved: 0, onTime: 0, late: 0, overdueBacklog: 0, online: 0, fullyOnline: 0, paid: 0, paidOnline: 0, rated: 0, satisfied: 0, avgDays: null, daysSum: 0 };
      by.set(group, r);
    }
    return r;
  };
  const total = row('\u0000total');
  for (const d of dossiers) {
    for (const r of [row(d.group), total]) {
      r.received++;
      if (d.channel === 'online') r.online++;
      if (d.channel === 'online' && d.fullyOnline) r.fullyOnline++;
      if (d.payment_status === 'paid') {
        r.paid++;
        if (d.payment_method === 'transfer') r.paidOnline++;
      }
      if (d.rating) {
        r.rated++;
        if (d.rating >= 3) r.satisfied++;
      }
      if (RESOLVED.includes(d.state) && d.finished_at) {
        r.resolved++;
        const finishedOn = localTime(new Date(d.finished_at)).date;
        if (!d.due_date || finishedOn <= d.due_date) r.onTime++;
        else r.late++;
        if (d.received_at) r.daysSum += (Date.parse(d.finished_at) - Date.parse(d.received_at)) / 86400_000;
      }
      if (OPEN_STATES.includes(d.state) && d.due_date && d.due_date < today) r.overdueBacklog++;
    }
  }
  const finish = (r: StatRow & { daysSum: number }): StatRow => {
    const { daysSum, ...rest } = r;
    return { ...rest, avgDays: r.resolved ? Math.round((daysSum / r.resolved) * 10) / 10 : null };
  };
  by.delete('\u0000total');
  return { rows: [...by.values()].map(finish).sort((a, b) => b.received - a.received), total: finish(total) };
}

/** A share as a whole percentage, or null when there is nothing to divide. */
export const percent = (part: number, whole: number) => (whole ? Math.round((part / whole) * 100) : null);

