import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { AD_HOC_MARK, type Database } from '../../platform/db/connect.ts';
import type { DB } from '../../platform/db/schema.ts';
import { readStoredFile } from '../../platform/files/files.ts';
import { extractText } from '../../platform/files/text.ts';
import { localToday, translator, type MessageKey } from '../../platform/i18n/index.ts';
import { foldVietnamese } from '../../platform/search.ts';

/**
 * Full-text search over a unit's documents, incoming and outgoing: their number and symbol, issuer,
 * kind, abstract and the text inside their PDF or DOCX, without diacritics, newest first, with filters.
 *
 * Each dialect's own engine keeps the index, updated document by document as they arrive (no rebuild):
 * SQLite's FTS5 (a contentless table whose rowid is `doc_search.seq`) and PostgreSQL's tsvector with a
 * GIN index. Text is folded before it is indexed and queries are folded the same way, so both dialects
 * match alike. A document is findable by its metadata the moment it is registered; the text inside its
 * file is read just after, by a background indexer (one document at a time: bounded memory).
 */
export type DocKind = 'incoming' | 'outgoing';
type Tx = Kysely<DB>;
const vi = translator('vi');

/** The search row's values, read from the document itself. */
async function sourceOf(trx: Tx, kind: DocKind, id: string) {
  if (kind === 'incoming') {
    const d = await trx.selectFrom('doc_incoming').selectAll().where('id', '=', id).executeTakeFirst();
    if (!d) return undefined;
    return { unit_id: d.unit_id, origin_unit_id: d.origin_unit_id, year: d.year, doc_date: d.issued_date, code: `${d.code_number}/${d.code_notation}`, author: d.author_org, subject: d.subject, type_code: d.type_code, urgency: d.urgency, secrecy: d.secrecy, status: d.status, file_id: d.file_id };
  }
  const d = await trx.selectFrom('doc_outgoing as o').innerJoin('unit as u', 'u.id', 'o.origin_unit_id').selectAll('o').select('u.name as issuer').where('o.id', '=', id).executeTakeFirst();
  if (!d) return undefined;
  // A draft's date is the day it was written, in Vietnam (not the UTC day of its timestamp).
  const date = d.signed_date ?? localToday(new Date(d.created_at));
  return { unit_id: d.unit_id, origin_unit_id: d.origin_unit_id, year: d.year ?? Number(date.slice(0, 4)), doc_date: date, code: d.code ?? '', author: d.issuer, subject: d.subject, type_code: d.type_code, urgency: d.urgency, secrecy: d.secrecy, status: d.status, file_id: d.file_id };
}

type Meta = { kind: string; origin_unit_id: string; code: string; author: string; subject: string; type_code: string; urgency: string; doc_date: string };
const metaWords = (m: Meta) => `${m.code} ${m.author} ${vi(`documents.type.${m.type_code}` as MessageKey)} ${m.subject}`;
const token = (prefix: string, value: string) => `${prefix}${value.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
/**
 * What never changes about a document, as tokens beside its words, so the engine intersects them with
 * the words in its index instead of checking row after row: the unit it was registered in (`o…`:
 * merges move `unit_id`, never the origin), its register (`k…`), kind (`t…`), urgency (`u…`) and year
 * (`y…`). Its status changes, so it stays a column.
 */
const scopeTokens = (m: Meta) => [token('o', m.origin_unit_id), token('k', m.kind), token('t', m.type_code), token('u', m.urgency), `y${m.doc_date.slice(0, 4)}`].join(' ');

/**
 * What the full-text index holds for a document: its scope tokens, and its words — folded, letters
 * and digits only, space-separated, so both engines see the same words (PostgreSQL's parser would
 * otherwise keep `12/bc-ubnd` as one path-like token where FTS5 splits it).
 */
export const indexedWords = (meta: Meta, text: string) => ({ scope: scopeTokens(meta), words: foldVietnamese(`${metaWords(meta)} ${text}`).replace(/[^a-z0-9]+/g, ' ') });

async function writeWords(trx: Tx, database: Database, seq: number, meta: Meta, text: string) {
  const { scope, words } = indexedWords(meta, text);
  if (database.dialect === 'postgres') {
    await sql`update doc_search set tsv = to_tsvector('simple', ${`${scope} ${words}`}) where seq = ${seq}`.execute(trx);
  } else {
    await sql`delete from doc_search_fts where rowid = ${seq}`.execute(trx);
    await sql`insert into doc_search_fts (rowid, scope, words) values (${seq}, ${scope}, ${words})`.execute(trx);
  }
}

/**
 * Puts a document (new, or whose number, symbol or abstract changed) in the index, inside the caller's
 * transaction: findable at once by its metadata; the text of its file follows (`indexPendingTexts`).
 */
export async function indexDocument(trx: Tx, database: Database, kind: DocKind, id: string) {
  const src = await sourceOf(trx, kind, id);
  if (!src) return;
  const values = { ...src, author_key: foldVietnamese(src.author), text_state: 'pending' };
  const row = await trx
    .insertInto('doc_search')
    .values({ kind, document_id: id, ...values })
    .onConflict((oc) => oc.columns(['kind', 'document_id']).doUpdateSet(values))
    .returning('seq')
    .executeTakeFirstOrThrow();
  await writeWords(trx, database, Number(row.seq), { kind, ...src }, '');
}

/** A document leaves the index (a recalled copy at its recipient: deleted from its register's view). */
export async function unindexDocument(trx: Tx, database: Database, kind: DocKind, id: string) {
  const row = await trx.selectFrom('doc_search').select('seq').where('kind', '=', kind).where('document_id', '=', id).executeTakeFirst();
  if (!row) return;
  if (database.dialect === 'sqlite') await sql`delete from doc_search_fts where rowid = ${row.seq}`.execute(trx);
  await trx.deleteFrom('doc_search').where('seq', '=', row.seq).execute();
}

/** A document's status changed (handling, signing, issue, recall): the filter follows. */
export async function indexStatus(trx: Tx, kind: DocKind, id: string, status: string) {
  await trx.updateTable('doc_search').set({ status }).where('kind', '=', kind).where('document_id', '=', id).execute();
}

/**
 * Reads the text inside the files of documents waiting for it, newest first, one at a time, and adds it
 * to their words. A scan without a text layer is `empty`, an unreadable file `failed` (its metadata
 * stays findable). Returns how many were done.
 */
export async function indexPendingTexts(ctx: AppContext, limit = 50): Promise<number> {
  // Newest first: what just arrived is what people search for; a backlog (after a restart) follows.
  const pending = await ctx.database.db.selectFrom('doc_search').select(['seq', 'file_id']).where('text_state', '=', 'pending').orderBy('seq', 'desc').limit(limit).execute();
  for (const p of pending) {
    let text = '';
    let state = 'done';
    try {
      const stored = await readStoredFile(ctx, p.file_id);
      text = stored ? await extractText(stored.data, stored.row.mime) : '';
      if (!text) state = 'empty';
    } catch {
      state = 'failed';
    }
    await ctx.database.db.transaction().execute(async (trx) => {
      // Re-read inside the transaction: the metadata may have changed while the file was read.
      const row = await trx.selectFrom('doc_search').selectAll().where('seq', '=', p.seq).where('text_state', '=', 'pending').executeTakeFirst();
      if (!row) return;
      await writeWords(trx, ctx.database, row.seq, row, text);
      await trx.updateTable('doc_search').set({ text_state: state }).where('seq', '=', row.seq).execute();
    });
  }
  return pending.length;
}

const running = new WeakMap<AppContext, Promise<void>>();
/** Starts the background indexer if it is not running (after a registration commits); resolves when nothing is pending. */
export function kickIndexer(ctx: AppContext): Promise<void> {
  const current = running.get(ctx);
  if (current) return current.then(() => kickIndexer(ctx));
  const run = (async () => {
    try {
      while ((await indexPendingTexts(ctx, 20)) > 0);
    } finally {
      running.delete(ctx);
    }
  })();
  running.set(ctx, run);
  return run;
}

export interface SearchFilters {
  q?: string;
  kind?: DocKind;
  type?: string;
  author?: string;
  from?: string;
  to?: string;
  status?: string;
  urgency?: string;
}

/** The query's words (folded), a quoted part kept together as a phrase: `"ke hoach" vneid` → [[ke, hoach], [vneid]]. */
export function queryTerms(q: string): string[][] {
  const terms: string[][] = [];
  const words = (part: string) =>
    foldVietnamese(part)
      .split(/[^a-z0-9]+/)
      .filter(Boolean)
      .map((w) => w.slice(0, 40));
  const re = /"([^"]*)"|([^"\s]+)/g;
  for (let m = re.exec(q); m && terms.length < 12; m = re.exec(q)) {
    const w = words(m[1] ?? m[2] ?? '');
    if (m[1] !== undefined && w.length) terms.push(w);
    else for (const x of w) terms.push([x]);
  }
  return terms.slice(0, 12);
}

export interface SearchHit {
  seq: number;
  kind: DocKind;
  document_id: string;
  year: number;
  doc_date: string;
  code: string;
  author: string;
  subject: string;
  type_code: string;
  urgency: string;
  secrecy: string;
  status: string;
}

/**
 * A unit's documents matching the filters, newest first (`limit` + 1 rows tell whether there is a next
 * page). Classified documents only for their named readers (and, for the unit's outgoing ones, the clerk).
 */
export async function searchDocuments(ctx: AppContext, reader: { id: string; clerk: boolean }, unitId: string, f: SearchFilters, page: { offset: number; limit: number }): Promise<SearchHit[]> {
  const { db, dialect } = ctx.database;
  const conds: RawBuilder<unknown>[] = [sql`s.unit_id = ${unitId}`];
  if (f.kind) conds.push(sql`s.kind = ${f.kind}`);
  if (f.type) conds.push(sql`s.type_code = ${f.type}`);
  if (f.status) conds.push(sql`s.status = ${f.status}`);
  if (f.urgency) conds.push(sql`s.urgency = ${f.urgency}`);
  if (f.from) conds.push(sql`s.doc_date >= ${f.from}`);
  if (f.to) conds.push(sql`s.doc_date <= ${f.to}`);
  const author = foldVietnamese(f.author ?? '').replace(/[\\%_]/g, (c) => `\\${c}`);
  if (author) conds.push(sql`s.author_key like ${`%${author}%`} escape '\\'`);
  conds.push(
    sql`(s.secrecy = 'normal' or exists (select 1 from doc_reader r where r.document_id = s.document_id and r.account_id = ${reader.id})${reader.clerk ? sql` or s.kind = 'outgoing'` : sql``})`,
  );
  const columns = sql`s.seq, s.kind, s.document_id, s.year, s.doc_date, s.code, s.author, s.subject, s.type_code, s.urgency, s.secrecy, s.status`;
  const terms = queryTerms(f.q ?? '');
  // Filters on what never changes go into the full-text match as tokens (see `scopeTokens`).
  const groups: string[][] = [];
  if (f.kind) groups.push([token('k', f.kind)]);
  if (f.type) groups.push([token('t', f.type)]);
  if (f.urgency) groups.push([token('u', f.urgency)]);
  const [fromYear, toYear] = [Number((f.from ?? '').slice(0, 4)) || 1990, Number((f.to ?? '').slice(0, 4)) || new Date().getUTCFullYear() + 1];
  if ((f.from || f.to) && toYear >= fromYear && toYear - fromYear <= 40) groups.push(Array.from({ length: toYear - fromYear + 1 }, (_, i) => `y${fromYear + i}`));
  let rows: SearchHit[];
  if (!terms.length && !groups.length) {
    rows = (await sql<SearchHit>`${sql.raw(AD_HOC_MARK)} select ${columns} from doc_search s where ${sql.join(conds, sql` and `)} order by s.seq desc limit ${page.limit + 1} offset ${page.offset}`.execute(db)).rows;
  } else {
    // The origins of the unit's documents (itself, and communes merged into it) narrow the full-text match.
    // A skip scan over the (unit_id, origin_unit_id) index: one probe per distinct origin, not one row per document.
    const origins = (
      await sql<{ v: string }>`with recursive o(v) as (
          select min(origin_unit_id) from doc_search where unit_id = ${unitId}
          union all
          select (select min(origin_unit_id) from doc_search where unit_id = ${unitId} and origin_unit_id > o.v) from o where o.v is not null)
        select v from o where v is not null`.execute(db)
    ).rows.map((o) => token('o', o.v));
    if (!origins.length) return [];
    groups.unshift(origins);
    if (dialect === 'postgres') {
      const tsquery = [...groups.map((g) => `(${g.join(' | ')})`), ...terms.map((t) => (t.length > 1 ? `(${t.join(' <-> ')})` : t[0]))].join(' & ');
      rows = (await sql<SearchHit>`${sql.raw(AD_HOC_MARK)} select ${columns} from doc_search s where s.tsv @@ to_tsquery('simple', ${tsquery}) and ${sql.join(conds, sql` and `)} order by s.seq desc limit ${page.limit + 1} offset ${page.offset}`.execute(db)).rows;
    } else {
      const match = [...groups.map((g) => `scope : (${g.join(' OR ')})`), ...(terms.length ? [`words : (${terms.map((t) => `"${t.join(' ')}"`).join(' AND ')})`] : [])].join(' AND ');
      rows = (
        // CROSS JOIN keeps the full-text match as the outer loop (SQLite's rule): otherwise an index on a
        // filtered column could drive the join and evaluate the match once per row.
        await sql<SearchHit>`select ${columns} from doc_search_fts f cross join doc_search s on s.seq = f.rowid where doc_search_fts match ${match} and ${sql.join(conds, sql` and `)} order by f.rowid desc limit ${page.limit + 1} offset ${page.offset}`.execute(db)
      ).rows;
    }
  }
  return rows.map((r) => ({ ...r, seq: Number(r.seq), year: Number(r.year) }));
}
