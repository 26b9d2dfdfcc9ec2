import { connect } from './src/platform/db/connect.ts';
import { sql } from 'kysely';
const database = connect(process.argv[2]!);
const q = (m: string, j: string) => sql`explain query plan select s.seq from doc_search_fts f ${sql.raw(j)} doc_search s on s.seq = f.rowid where doc_search_fts match ${m} and s.unit_id = 'u-25201' and s.doc_date >= '2023-01-01' and s.doc_date <= '2023-12-31' order by f.rowid desc limit 21`.execute(database.db);
for (const j of ['join', 'cross join']) console.log(j, (await q('scope : (ou25201) AND scope : (y2023) AND words : ("tap huan")', j)).rows.map((r: any) => r.detail));
await database.close();
