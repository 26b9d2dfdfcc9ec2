import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { systemContext, writeAudit } from '../../platform/audit/audit.ts';
import { storeFile } from '../../platform/files/files.ts';
import { nextNumber } from '../../platform/db/sequence.ts';
import { newPdf, pdfBytes } from '../../platform/pdf/document.ts';
import { foldVietnamese } from '../../platform/search.ts';
import { localToday } from '../../platform/i18n/index.ts';

const PILOTS = ['u-25201', 'u-25202', 'u-25203', 'u-25204'];
/** Plausible arrivals of a commune (issuers, kinds and abstracts invented for the demo). */
const ARRIVALS: [string, string, string, string, string][] = [
  ['UBND tỉnh Phú Thọ', 'KH-UBND', 'plan', 'Kế hoạch chuyển đổi số tỉnh Phú Thọ năm {nam}', 'normal'],
  ['Sở Khoa học và Công nghệ tỉnh Phú Thọ', 'SKHCN-CĐS', 'official_letter', 'Về việc báo cáo kết quả hoạt động của Tổ công nghệ số cộng đồng', 'urgent'],
  ['UBND tỉnh Phú Thọ', 'CĐ-UBND', 'dispatch_telegram', 'Về việc chủ động ứng phó mưa lớn, lũ quét, sạt lở đất', 'flash'],
  ['Công an tỉnh Phú Thọ', 'CAT-PC06', 'official_letter', 'Về việc đẩy mạnh kích hoạt tài khoản định danh điện tử mức 2', 'normal'],
  ['Sở Nội vụ tỉnh Phú Thọ', 'HD-SNV', 'guidance', 'Hướng dẫn đánh giá, xếp loại cán bộ, công chức cấp xã năm {nam}', 'normal'],
  ['Văn phòng UBND tỉnh', 'TB-VP', 'notice', 'Thông báo kết luận của Chủ tịch UBND tỉnh tại hội nghị trực tuyến', 'normal'],
  ['Sở Y tế tỉnh Phú Thọ', 'SYT-NVY', 'official_letter', 'Về việc tăng cường phòng chống dịch bệnh mùa đông xuân', 'very_urgent'],
  ['Trung tâm Phục vụ hành chính công tỉnh', 'GM-TTPVHCC', 'invitation', 'Mời dự tập huấn sử dụng hệ thống thông tin giải quyết thủ tục hành chính', 'normal'],
];

/** Demo mode: two to three dozen incoming documents of this year for each pilot commune, with their PDFs. Runs once. */
export async function seedDocuments(ctx: AppContext, opts: { demo: boolean }) {
  if (!opts.demo) return;
  const { db } = ctx.database;
  if (await db.selectFrom('doc_incoming').select('id').limit(1).executeTakeFirst()) return;
  const today = localToday();
  const year = Number(today.slice(0, 4));
  for (const [ci, unitId] of PILOTS.entries()) {
    const clerk = await db.selectFrom('auth_role_grant').select('account_id').where('unit_id', '=', unitId).where('role', 'in', ['document_clerk', 'commune_official']).orderBy('role', 'desc').executeTakeFirst();
    if (!clerk) continue;
    const count = 24 + ci * 3;
    for (let i = 0; i < count; i++) {
      const [author, notation, type, subject, urgency] = ARRIVALS[(i + ci) % ARRIVALS.length]!;
      // Spread over the year so far, in order of arrival.
      const arrival = new Date(Date.parse(`${year}-01-02T00:00:00Z`) + ((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${year}-01-02T00:00:00Z`)) * i) / count).toISOString().slice(0, 10);
      const issued = new Date(Date.parse(`${arrival}T00:00:00Z`) - 2 * 86_400_000).toISOString().slice(0, 10);
      const doc = newPdf({ title: subject });
      doc.font('bold').text(author.toUpperCase()).moveDown().font('regular').text(`Số: ${100 + i * 7}/${notation}`).moveDown().text(subject.replace('{nam}', String(year))).moveDown().text('Văn bản minh họa của bản trình diễn Xã Số.');
      const pdf = await pdfBytes(doc);
      await db.transaction().execute(async (trx) => {
        const n = await nextNumber(trx, `doc.incoming:${unitId}`, String(year));
        const fileId = await storeFile(ctx, trx, { kind: 'upload', filename: `van-ban-den-${n}.pdf`, declaredType: 'application/pdf', data: pdf, tooLarge: false }, { mime: 'application/pdf', unitId, ownerId: clerk.account_id });
        const text = subject.replace('{nam}', String(year));
        await trx
          .insertInto('doc_incoming')
          .values({ id: crypto.randomUUID(), unit_id: unitId, origin_unit_id: unitId, year, arrival_number: n, arrival_date: arrival, author_org: author, code_number: String(100 + i * 7), code_notation: notation, issued_date: issued, type_code: type, subject: text, urgency, secrecy: 'normal', file_id: fileId, due_date: i % 4 === 0 ? new Date(Date.parse(`${arrival}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10) : null, status: 'registered', search_text: foldVietnamese(`${100 + i * 7}/${notation} ${author} ${text}`), registered_by: clerk.account_id, created_at: new Date().toISOString() })
          .execute();
      });
    }
    await db.transaction().execute((trx) => writeAudit(ctx.database, trx, systemContext('seed'), { action: 'documents.seed', entity: 'doc_incoming', unitId, detail: { count } }));
  }
}
