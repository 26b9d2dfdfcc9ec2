import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { signedIn } from '../../platform/http/kernel.ts';
import { formatDate, localToday, translator } from '../../platform/i18n/index.ts';
import { XLSX_TYPE, writeXlsx } from '../../platform/xlsx.ts';
import { registerUnitFor } from './incoming.ts';
import type { DOC_TYPES } from './types.ts';

/**
 * The registers as Decree 30 lays them out (DOMAIN.md §3), for a year, as Excel files: the incoming
 * register (arrival date, arrival number, author, number and symbol, date, kind and abstract, receiving
 * unit or person, transfer date, signature, notes) and the outgoing register (number and symbol, date,
 * kind and abstract, signer, recipients, file copy holder, copies, transfer date, signature, notes).
 * Classified documents are in neither: they have their own registers. Each export is audited.
 */
export const INCOMING_COLUMNS = ['Ngày đến', 'Số đến', 'Tác giả', 'Số, ký hiệu', 'Ngày tháng', 'Tên loại và trích yếu nội dung', 'Đơn vị hoặc người nhận', 'Ngày chuyển', 'Ký nhận', 'Ghi chú'];
export const OUTGOING_COLUMNS = ['Số, ký hiệu văn bản', 'Ngày tháng văn bản', 'Tên loại và trích yếu nội dung', 'Người ký', 'Nơi nhận văn bản', 'Đơn vị, người nhận bản lưu', 'Số lượng bản', 'Ngày chuyển', 'Ký nhận', 'Ghi chú'];

export function registerRegisterExports(app: FastifyInstance, ctx: AppContext) {
  const t = translator('vi');
  const typeName = (code: string) => t(`documents.type.${code as (typeof DOC_TYPES)[number]['code']}`);
  const yearOf = (q: unknown) => {
    const n = Number((q as { nam?: string }).nam);
    return n >= 2000 && n <= 2100 ? n : Number(localToday().slice(0, 4));
  };

  app.get('/van-ban/den/so.xlsx', async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.read');
    const year = yearOf(request.query);
    const rows = await ctx.database.db
      .selectFrom('doc_incoming as d')
      .leftJoin('doc_assignment as a', 'a.document_id', 'd.id')
      .leftJoin('auth_account as l', 'l.id', 'a.lead_id')
      .select(['d.arrival_date', 'd.arrival_number', 'd.author_org', 'd.code_number', 'd.code_notation', 'd.issued_date', 'd.type_code', 'd.subject', 'd.urgency', 'l.display_name as lead', 'a.created_at as transferred'])
      .where('d.unit_id', '=', unit.id)
      .where('d.year', '=', year)
      .where('d.secrecy', '=', 'normal')
      .orderBy('d.arrival_number')
      .execute();
    const table = rows.map((r) => [formatDate(r.arrival_date), r.arrival_number, r.author_org, `${r.code_number}/${r.code_notation}`, formatDate(r.issued_date), `${typeName(r.type_code)}: ${r.subject}`, r.lead ?? '', r.transferred ? formatDate(r.transferred) : '', '', r.urgency === 'normal' ? '' : t(`documents.urgency.${r.urgency as 'urgent'}`)]);
    await ctx.database.db.transaction().execute((trx) => writeAudit(ctx.database, trx, request.auditContext, { action: 'documents.register.export', entity: 'doc_incoming', unitId: unit.id, detail: { year, rows: rows.length } }));
    const data = await writeXlsx([{ name: `Sổ văn bản đến ${year}`, title: `SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM ${year} — ${unit.name.toUpperCase()}`, header: INCOMING_COLUMNS, rows: table, widths: [12, 8, 28, 18, 12, 60, 22, 12, 10, 14] }]);
    return reply.type(XLSX_TYPE).header('cache-control', 'private, no-store').header('content-disposition', `attachment; filename="so-van-ban-den-${year}.xlsx"`).send(data);
  });

  app.get('/van-ban/di/so.xlsx', async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.read');
    const year = yearOf(request.query);
    const docs = await ctx.database.db
      .selectFrom('doc_outgoing as d')
      .innerJoin('auth_account as s', 's.id', 'd.signer_id')
      .select(['d.id', 'd.code', 'd.number', 'd.signed_date', 'd.type_code', 'd.subject', 'd.outside_recipients', 's.display_name as signer', 'd.status'])
      .where('d.unit_id', '=', unit.id)
      .where('d.year', '=', year)
      .where('d.series', '=', 'regular')
      .orderBy('d.number')
      .execute();
    const recipients = docs.length
      ? await ctx.database.db.selectFrom('doc_outgoing_recipient as r').innerJoin('unit as u', 'u.id', 'r.unit_id').select(['r.document_id', 'u.name']).where('r.document_id', 'in', docs.map((d) => d.id)).execute()
      : [];
    const table = docs.map((d) => {
      const to = [...recipients.filter((r) => r.document_id === d.id).map((r) => r.name), ...d.outside_recipients.split('\n').map((l) => l.trim()).filter(Boolean)].join('; ');
      return [d.code ?? '', d.signed_date ? formatDate(d.signed_date) : '', `${typeName(d.type_code)}: ${d.subject}`, d.signer, to, '', '', d.status === 'issued' && d.signed_date ? formatDate(d.signed_date) : '', '', ''];
    });
    await ctx.database.db.transaction().execute((trx) => writeAudit(ctx.database, trx, request.auditContext, { action: 'documents.register.export', entity: 'doc_outgoing', unitId: unit.id, detail: { year, rows: docs.length } }));
    const data = await writeXlsx([{ name: `Sổ văn bản đi ${year}`, title: `SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM ${year} — ${unit.name.toUpperCase()}`, header: OUTGOING_COLUMNS, rows: table, widths: [16, 12, 60, 22, 40, 18, 10, 12, 10, 14] }]);
    return reply.type(XLSX_TYPE).header('cache-control', 'private, no-store').header('content-disposition', `attachment; filename="so-van-ban-di-${year}.xlsx"`).send(data);
  });
}
