import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { signedIn } from '../../platform/http/kernel.ts';
import { formatDate, localToday, translator } from '../../platform/i18n/index.ts';
import { XLSX_TYPE, writeXlsx } from '../../platform/xlsx.ts';
import { newPdf, pdfBytes, pdfRegister } from '../../platform/pdf/document.ts';
import { registerUnitFor } from './incoming.ts';
import type { DOC_TYPES } from './types.ts';
import { yearOf } from '../../platform/http/query.ts';

/**
 * The registers as Decree 30 lays them out (DOMAIN.md §3), for a year, as Excel files and as PDFs to
 * print: the incoming register (arrival date, arrival number, author, number and symbol, date, kind and
 * abstract, receiving unit or person, transfer date, signature, notes), the outgoing register (number
 * and symbol, date, kind and abstract, signer, recipients, file copy holder, copies, transfer date,
 * signature, notes) and the handling tracker (sổ theo dõi giải quyết văn bản đến: arrival number,
 * number and symbol, abstract, lead, deadline, progress, result, notes). Classified documents are in
 * none: they have their own registers. A recalled copy keeps its line, marked, its abstract withheld.
 * Each export and print is audited.
 */
export const INCOMING_COLUMNS = ['Ngày đến', 'Số đến', 'Tác giả', 'Số, ký hiệu', 'Ngày tháng', 'Tên loại và trích yếu nội dung', 'Đơn vị hoặc người nhận', 'Ngày chuyển', 'Ký nhận', 'Ghi chú'];
export const OUTGOING_COLUMNS = ['Số, ký hiệu văn bản', 'Ngày tháng văn bản', 'Tên loại và trích yếu nội dung', 'Người ký', 'Nơi nhận văn bản', 'Đơn vị, người nhận bản lưu', 'Số lượng bản', 'Ngày chuyển', 'Ký nhận', 'Ghi chú'];
export const TRACKER_COLUMNS = ['Số đến', 'Số, ký hiệu', 'Tên loại và trích yếu nội dung', 'Người chủ trì', 'Hạn giải quyết', 'Tiến độ', 'Kết quả giải quyết', 'Ghi chú'];

type Cell = string | number;
interface Register {
  kind: 'incoming' | 'outgoing' | 'tracker';
  slug: string;
  title: string;
  header: string[];
  widths: number[];
  rows: Cell[][];
}

export function registerRegisterExports(app: FastifyInstance, ctx: AppContext) {
  const t = translator('vi');
  const { db } = ctx.database;
  const typeName = (code: string) => t(`documents.type.${code as (typeof DOC_TYPES)[number]['code']}`);
  const urgency = (u: string) => (u === 'normal' ? '' : t(`documents.urgency.${u as 'urgent'}`));

  const incoming = async (unitId: string, unitName: string, year: number): Promise<Register> => {
    const rows = await db
      .selectFrom('doc_incoming as d')
      .leftJoin('doc_assignment as a', 'a.document_id', 'd.id')
      .leftJoin('auth_account as l', 'l.id', 'a.lead_id')
      .select(['d.arrival_date', 'd.arrival_number', 'd.author_org', 'd.code_number', 'd.code_notation', 'd.issued_date', 'd.type_code', 'd.subject', 'd.urgency', 'd.status', 'l.display_name as lead', 'a.created_at as transferred'])
      .where('d.unit_id', '=', unitId)
      .where('d.year', '=', year)
      .where('d.secrecy', '=', 'normal')
      .orderBy('d.arrival_number')
      .execute();
    return {
      kind: 'incoming',
      slug: 'so-van-ban-den',
      title: `SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM ${year} — ${unitName.toUpperCase()}`,
      header: INCOMING_COLUMNS,
      widths: [12, 8, 28, 18, 12, 60, 22, 12, 10, 14],
      rows: rows.map((r) =>
        r.status === 'recalled'
          ? [formatDate(r.arrival_date), r.arrival_number, r.author_org, `${r.code_number}/${r.code_notation}`, formatDate(r.issued_date), '', '', '', '', t('documents.in_status.recalled')]
          : [formatDate(r.arrival_date), r.arrival_number, r.author_org, `${r.code_number}/${r.code_notation}`, formatDate(r.issued_date), `${typeName(r.type_code)}: ${r.subject}`, r.lead ?? '', r.transferred ? formatDate(r.transferred) : '', '', urgency(r.urgency)],
      ),
    };
  };

  const outgoing = async (unitId: string, unitName: string, year: number): Promise<Register> => {
    const docs = await db
      .selectFrom('doc_outgoing as d')
      .innerJoin('auth_account as s', 's.id', 'd.signer_id')
      .select(['d.id', 'd.code', 'd.number', 'd.signed_date', 'd.type_code', 'd.subject', 'd.outside_recipients', 's.display_name as signer', 'd.status'])
      .where('d.unit_id', '=', unitId)
      .where('d.year', '=', year)
      .where('d.series', '=', 'regular')
      .orderBy('d.number')
      .execute();
    const recipients = docs.length ? await db.selectFrom('doc_outgoing_recipient as r').innerJoin('unit as u', 'u.id', 'r.unit_id').select(['r.document_id', 'u.name']).where('r.document_id', 'in', docs.map((d) => d.id)).execute() : [];
    const note = (s: string) => (s === 'recalled' || s === 'replaced' ? t(`documents.out_status.${s}`) : '');
    return {
      kind: 'outgoing',
      slug: 'so-van-ban-di',
      title: `SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM ${year} — ${unitName.toUpperCase()}`,
      header: OUTGOING_COLUMNS,
      widths: [16, 12, 60, 22, 40, 18, 10, 12, 10, 14],
      rows: docs.map((d) => {
        const to = [...recipients.filter((r) => r.document_id === d.id).map((r) => r.name), ...d.outside_recipients.split('\n').map((l) => l.trim()).filter(Boolean)].join('; ');
        return [d.code ?? '', d.signed_date ? formatDate(d.signed_date) : '', `${typeName(d.type_code)}: ${d.subject}`, d.signer, to, '', '', d.status !== 'signed' && d.signed_date ? formatDate(d.signed_date) : '', '', note(d.status)];
      }),
    };
  };

  const tracker = async (unitId: string, unitName: string, year: number): Promise<Register> => {
    const today = localToday();
    const rows = await db
      .selectFrom('doc_assignment as a')
      .innerJoin('doc_incoming as d', 'd.id', 'a.document_id')
      .innerJoin('auth_account as l', 'l.id', 'a.lead_id')
      .select(['d.arrival_number', 'd.code_number', 'd.code_notation', 'd.type_code', 'd.subject', 'l.display_name as lead', 'a.deadline', 'a.status', 'a.done_at', 'a.result_note', 'a.reply_code'])
      .where('a.unit_id', '=', unitId)
      .where('d.year', '=', year)
      .where('d.secrecy', '=', 'normal')
      .orderBy('d.arrival_number')
      .execute();
    const progress = (r: (typeof rows)[number]) => {
      if (r.status === 'recalled') return t('documents.in_status.recalled');
      if (r.status === 'done') return r.done_at && localToday(new Date(r.done_at)) > r.deadline ? t('documents.tracker.late', { date: formatDate(r.done_at) }) : t('documents.tracker.on_time', { date: formatDate(r.done_at ?? r.deadline) });
      return t(r.deadline < today ? 'documents.tracker.overdue' : 'documents.tracker.open');
    };
    return {
      kind: 'tracker',
      slug: 'so-theo-doi-giai-quyet',
      title: `SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN NĂM ${year} — ${unitName.toUpperCase()}`,
      header: TRACKER_COLUMNS,
      widths: [8, 18, 60, 22, 12, 22, 40, 14],
      rows: rows.map((r) => [r.arrival_number, `${r.code_number}/${r.code_notation}`, `${typeName(r.type_code)}: ${r.subject}`, r.lead, formatDate(r.deadline), progress(r), r.status === 'recalled' ? '' : `${r.result_note ?? ''}${r.reply_code ? ` (${r.reply_code})` : ''}`, '']),
    };
  };

  const routes: [string, typeof incoming][] = [
    ['/van-ban/den/so', incoming],
    ['/van-ban/di/so', outgoing],
    ['/van-ban/den/theo-doi', tracker],
  ];
  for (const [path, build] of routes) {
    for (const format of ['xlsx', 'pdf'] as const) {
      app.get(`${path}.${format}`, async (request, reply) => {
        if (!signedIn(request, reply, 'official')) return reply;
        const unit = await registerUnitFor(ctx, request.access, request.actor!.unitId, 'document.read');
        const year = yearOf((request.query as { nam?: string }).nam);
        const reg = await build(unit.id, unit.name, year);
        await db.transaction().execute((trx) =>
          writeAudit(ctx.database, trx, request.auditContext, { action: format === 'pdf' ? 'documents.register.print' : 'documents.register.export', entity: reg.kind === 'outgoing' ? 'doc_outgoing' : 'doc_incoming', unitId: unit.id, detail: { register: reg.kind, year, rows: reg.rows.length } }),
        );
        const name = `${reg.slug}-${year}.${format}`;
        const data = format === 'xlsx' ? await writeXlsx([{ name: reg.title.slice(0, 31), title: reg.title, header: reg.header, rows: reg.rows, widths: reg.widths }]) : await pdfBytes(pdfRegister(newPdf({ title: reg.title, landscape: true }), reg.title, reg.header, reg.rows, reg.widths));
        return reply
          .type(format === 'xlsx' ? XLSX_TYPE : 'application/pdf')
          .header('cache-control', 'private, no-store')
          .header('content-disposition', `${format === 'pdf' ? 'inline' : 'attachment'}; filename="${name}"`)
          .send(data);
      });
    }
  }
}
