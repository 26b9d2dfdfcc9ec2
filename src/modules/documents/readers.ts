import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { Access } from '../../platform/auth/access.ts';
import { writeAudit, type AuditContext } from '../../platform/audit/audit.ts';
import { AppError, fieldProblem } from '../../platform/errors.ts';
import { translator } from '../../platform/i18n/index.ts';
import { incomingFor } from './incoming.ts';
import { recordEvent } from './handling.ts';

/**
 * Per-document rights on top of unit roles (Decree 30, Appendix VI): a classified document is read by
 * its named readers only. A leader of the commune who is a reader names others or withdraws them;
 * each change is in the document's history, audited, and the person concerned is alerted.
 */
export const readerInput = z.object({ account_id: z.string().min(1).max(60) });
export const removeReaderInput = readerInput.extend({ confirm: z.literal('on') });

export const readersOf = (ctx: AppContext, documentId: string) =>
  ctx.database.db
    .selectFrom('doc_reader as r')
    .innerJoin('auth_account as a', 'a.id', 'r.account_id')
    .leftJoin('auth_account as g', 'g.id', 'r.granted_by')
    .select(['r.account_id', 'a.display_name', 'g.display_name as granted_by', 'r.granted_at'])
    .where('r.document_id', '=', documentId)
    .orderBy('r.granted_at')
    .execute();

/** People of the commune who may read documents and are not readers yet. */
export const readerCandidates = (ctx: AppContext, unitId: string, documentId: string) =>
  ctx.database.db
    .selectFrom('auth_role_grant as g')
    .innerJoin('auth_account as a', 'a.id', 'g.account_id')
    .select(['a.id', 'a.display_name'])
    .distinct()
    .where('g.unit_id', '=', unitId)
    .where('g.role', 'in', ['commune_leader', 'commune_official', 'document_clerk'])
    .where('a.disabled_at', 'is', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('doc_reader as r').select('r.account_id').where('r.document_id', '=', documentId).whereRef('r.account_id', '=', 'a.id'))))
    .orderBy('a.display_name')
    .execute();

/** The classified document, for a leader who is among its readers (anyone else: 404 or 409). */
async function managed(ctx: AppContext, access: Access, audit: AuditContext, documentId: string) {
  const doc = await incomingFor(ctx, access, audit, documentId);
  await access.authorize('document.instruct', { unitId: doc.unit_id });
  if (doc.secrecy === 'normal') throw new AppError('not_classified', 409, 'documents.error.not_classified');
  return doc;
}

async function change(ctx: AppContext, access: Access, audit: AuditContext, documentId: string, accountId: string, add: boolean) {
  const doc = await managed(ctx, access, audit, documentId);
  const actor = access.actor!;
  const person = add
    ? (await readerCandidates(ctx, doc.unit_id, doc.id)).find((c) => c.id === accountId)
    : await ctx.database.db.selectFrom('doc_reader as r').innerJoin('auth_account as a', 'a.id', 'r.account_id').select(['a.id', 'a.display_name']).where('r.document_id', '=', doc.id).where('r.account_id', '=', accountId).executeTakeFirst();
  if (!person) throw fieldProblem('bad_reader', 400, 'account_id', 'documents.error.reader');
  if (!add && person.id === actor.id) throw new AppError('self', 409, 'documents.error.reader_self');
  const t = translator('vi');
  await ctx.database.db.transaction().execute(async (trx) => {
    if (add) await trx.insertInto('doc_reader').values({ document_id: doc.id, account_id: person.id, granted_by: actor.id, granted_at: new Date().toISOString() }).execute();
    else await trx.deleteFrom('doc_reader').where('document_id', '=', doc.id).where('account_id', '=', person.id).execute();
    await recordEvent(trx, doc.id, actor, add ? 'reader_added' : 'reader_removed', person.display_name);
    await ctx.notifier.enqueue(
      trx,
      { unitId: doc.unit_id, accountId: person.id },
      {
        subject: t(add ? 'documents.notice.reader_added_subject' : 'documents.notice.reader_removed_subject'),
        body: t(add ? 'documents.notice.reader_added' : 'documents.notice.reader_removed', { who: actor.displayName, code: `${doc.code_number}/${doc.code_notation}` }),
        link: `${ctx.config.publicUrl}/van-ban/den/${doc.id}`,
        source: 'documents.readers',
        sourceId: doc.id,
      },
    );
    await writeAudit(ctx.database, trx, audit, { action: add ? 'documents.readers.add' : 'documents.readers.remove', entity: 'doc_incoming', entityId: doc.id, unitId: doc.unit_id, detail: { account: person.id } });
  });
}

export const addReader = (ctx: AppContext, access: Access, audit: AuditContext, documentId: string, accountId: string) => change(ctx, access, audit, documentId, accountId, true);
export const removeReader = (ctx: AppContext, access: Access, audit: AuditContext, documentId: string, accountId: string) => change(ctx, access, audit, documentId, accountId, false);
