import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { systemContext, writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { CHANNEL_CODE, type Channel } from './schemas.ts';
import { NATIONAL_STATUS, type DossierState } from './workflow.ts';

/**
 * Exchange of dossier status with an upstream system (DOMAIN.md §2: every province runs an official
 * dossier system connected to the national portal) in the national status codes 1–10. The format is
 * documented in docs/EXCHANGE.md; `FileExchange` moves it as files, another transport (the province's
 * LGSP, an HTTP API) implements the same interface.
 */
export const FORMAT = 'xaso.dossier-status/1';

export const statusRecordSchema = z.object({
  dossierCode: z.string().min(5).max(60),
  procedureCode: z.string().regex(/^\d\.\d{6}$/),
  agencyCode: z.string().min(3).max(40),
  /** National status code (1 new … 10 result returned). */
  status: z.number().int().min(1).max(10),
  at: z.iso.datetime({ offset: true }),
  dueDate: z.iso.date().nullable(),
  /** National channel code: 1 in person, 2 online, 3 postal. */
  channel: z.number().int().min(1).max(3),
  note: z.string().max(2000).nullable(),
});
export type StatusRecord = z.infer<typeof statusRecordSchema>;

export const statusFileSchema = z.object({
  format: z.literal(FORMAT),
  generatedAt: z.iso.datetime({ offset: true }),
  source: z.string().min(1).max(200),
  records: z.array(statusRecordSchema).max(100_000),
});
export type StatusFile = z.infer<typeof statusFileSchema>;

/** A transport for status files. */
export interface UpstreamExchange {
  /** Hands a batch to the upstream system (durably, before the cursor moves). */
  send(batch: StatusFile): Promise<string>;
  /** Batches the upstream system sent, each to be acknowledged (or rejected with a reason) once handled. */
  receive(): Promise<{ name: string; content: unknown; done: () => Promise<void>; reject: (reason: string) => Promise<void> }[]>;
}

/**
 * Files in a directory shared with the upstream side: batches out to `outbox/`, batches in from
 * `inbox/`, which move to `processed/` or to `rejected/` (with a `.error.txt` beside them).
 */
export class FileExchange implements UpstreamExchange {
  constructor(private readonly dir: string) {}

  async send(batch: StatusFile): Promise<string> {
    const out = path.join(this.dir, 'outbox');
    await fs.mkdir(out, { recursive: true });
    const name = `xaso-status-${batch.generatedAt.replace(/[:.]/g, '-')}-${crypto.randomUUID().slice(0, 8)}.json`;
    // Written under a temporary name and renamed: the other side never reads half a file.
    const tmp = path.join(out, `.${name}.tmp`);
    await fs.writeFile(tmp, JSON.stringify(batch, null, 2));
    const handle = await fs.open(tmp, 'r');
    await handle.sync();
    await handle.close();
    await fs.rename(tmp, path.join(out, name));
    return name;
  }

  async receive() {
    const inbox = path.join(this.dir, 'inbox');
    await fs.mkdir(inbox, { recursive: true });
    const names = (await fs.readdir(inbox)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
    const move = async (name: string, to: 'processed' | 'rejected') => {
      await fs.mkdir(path.join(this.dir, to), { recursive: true });
      await fs.rename(path.join(inbox, name), path.join(this.dir, to, name));
    };
    return Promise.all(
      names.map(async (name) => {
        let content: unknown;
        try {
          content = JSON.parse(await fs.readFile(path.join(inbox, name), 'utf8'));
        } catch {
          content = undefined;
        }
        return {
          name,
          content,
          done: () => move(name, 'processed'),
          reject: async (reason: string) => {
            await move(name, 'rejected');
            await fs.writeFile(path.join(this.dir, 'rejected', `${name}.error.txt`), `${reason}\n`);
          },
        };
      }),
    );
  }
}

/** Events that change the status the upstream system knows (not fees, ratings or attachments). */
const STATUS_EVENTS = ['submit', 'receive', 'refuse', 'request_supplement', 'provide_supplement', 'assign', 'approve', 'return_result', 'withdraw', 'stop'];

/**
 * Sends every status change since the last export, in order, as one batch; the cursor moves only after
 * the transport has the batch, so a failure sends the same changes again (the receiver keys on code,
 * status and time). Returns how many records went out.
 */
export async function exportStatuses(ctx: AppContext, exchange: UpstreamExchange, opts: { source?: string; limit?: number; settleMs?: number } = {}): Promise<{ records: number; batch: string | null }> {
  const { db } = ctx.database;
  const cursor = Number((await db.selectFrom('svc_exchange_cursor').select('last_event_id').where('name', '=', 'export').executeTakeFirst())?.last_event_id ?? 0);
  const rows = await db
    .selectFrom('svc_dossier_event as e')
    .innerJoin('svc_dossier as d', 'd.id', 'e.dossier_id')
    .innerJoin('svc_agency as a', 'a.unit_id', 'd.receiving_unit_id')
    .select(['e.id', 'e.at', 'e.action', 'e.to_state', 'e.note', 'e.form', 'd.code', 'd.procedure_code', 'd.channel', 'd.due_date', 'a.agency_code'])
    .where('e.id', '>', cursor)
    // Only changes a minute old: a transaction still open then (ours take milliseconds) could otherwise
    // commit a lower id behind the cursor.
    .where('e.at', '<', new Date(Date.now() - (opts.settleMs ?? 60_000)).toISOString())
    .orderBy('e.id')
    .limit(opts.limit ?? 10_000)
    .execute();
  const last = rows.at(-1)?.id;
  const records: StatusRecord[] = rows
    .filter((r) => STATUS_EVENTS.includes(r.action) && r.code)
    .map((r) => ({
      dossierCode: r.code!,
      procedureCode: r.procedure_code,
      agencyCode: r.agency_code,
      status: NATIONAL_STATUS[r.to_state as DossierState],
      at: new Date(r.at).toISOString(),
      dueDate: r.due_date,
      channel: CHANNEL_CODE[r.channel as Channel],
      // Refusals and supplement requests carry their reason (forms 03, 02); nothing personal otherwise.
      note: r.form === '02' || r.form === '03' ? r.note : null,
    }));
  if (last === undefined) return { records: 0, batch: null };
  let batch: string | null = null;
  if (records.length) batch = await exchange.send({ format: FORMAT, generatedAt: new Date().toISOString(), source: opts.source ?? ctx.config.publicUrl, records });
  const at = new Date().toISOString();
  await db
    .insertInto('svc_exchange_cursor')
    .values({ name: 'export', last_event_id: Number(last), updated_at: at })
    .onConflict((oc) => oc.column('name').doUpdateSet({ last_event_id: Number(last), updated_at: at }))
    .execute();
  return { records: records.length, batch };
}

export interface ImportReport {
  files: number;
  rejected: { file: string; reason: string }[];
  recorded: number;
  unknown: string[];
}

/**
 * Reads the batches the upstream system sent: each is validated whole (a bad file is rejected with the
 * reason and nothing of it is kept); statuses of dossiers we hold are recorded beside them (shown on
 * the dossier, never moving our workflow), once; unknown codes are reported.
 */
export async function importStatuses(ctx: AppContext, exchange: UpstreamExchange, audit: AuditContext): Promise<ImportReport> {
  const report: ImportReport = { files: 0, rejected: [], recorded: 0, unknown: [] };
  for (const file of await exchange.receive()) {
    report.files++;
    const parsed = statusFileSchema.safeParse(file.content);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const reason = file.content === undefined ? 'not valid JSON' : `${issue.path.join('.') || '(file)'}: ${issue.message}`;
      report.rejected.push({ file: file.name, reason });
      await file.reject(reason);
      continue;
    }
    const codes = [...new Set(parsed.data.records.map((r) => r.dossierCode))];
    await ctx.database.db.transaction().execute(async (trx) => {
      const known = new Map<string, { id: string; unit_id: string }>();
      for (let i = 0; i < codes.length; i += 500) {
        for (const d of await trx.selectFrom('svc_dossier').select(['id', 'code', 'unit_id']).where('code', 'in', codes.slice(i, i + 500)).execute()) known.set(d.code!, d);
      }
      const at = new Date().toISOString();
      let recorded = 0;
      for (const r of parsed.data.records) {
        const d = known.get(r.dossierCode);
        if (!d) {
          report.unknown.push(r.dossierCode);
          continue;
        }
        const res = await trx
          .insertInto('svc_upstream_status')
          .values({ id: crypto.randomUUID(), dossier_id: d.id, status: r.status, at: new Date(r.at).toISOString(), note: r.note, source: parsed.data.source, imported_at: at })
          .onConflict((oc) => oc.columns(['dossier_id', 'status', 'at']).doNothing())
          .returning('id')
          .execute();
        recorded += res.length;
      }
      report.recorded += recorded;
      await writeAudit(ctx.database, trx, audit, { action: 'services.exchange.import', entity: 'svc_upstream_status', detail: { file: file.name, source: parsed.data.source, records: parsed.data.records.length, recorded } });
    });
    await file.done();
  }
  return report;
}

/** The background job: with EXCHANGE_DIR set, export and import through files every few minutes. */
export async function exchangeJob(ctx: AppContext): Promise<void> {
  if (!ctx.config.exchangeDir) return;
  const exchange = new FileExchange(ctx.config.exchangeDir);
  await exportStatuses(ctx, exchange);
  await importStatuses(ctx, exchange, systemContext('exchange'));
}
