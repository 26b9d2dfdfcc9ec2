import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { systemContext, writeAudit } from '../../platform/audit/audit.ts';
import { storeFile } from '../../platform/files/files.ts';
import { nextNumber } from '../../platform/db/sequence.ts';
import { newPdf, pdfBytes } from '../../platform/pdf/document.ts';
import { foldVietnamese } from '../../platform/search.ts';
import { localToday } from '../../platform/i18n/index.ts';
import { indexDocument, indexStatus } from './search.ts';

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
        const id = crypto.randomUUID();
        await trx
          .insertInto('doc_incoming')
          .values({ id, unit_id: unitId, origin_unit_id: unitId, year, arrival_number: n, arrival_date: arrival, author_org: author, code_number: String(100 + i * 7), code_notation: notation, issued_date: issued, type_code: type, subject: text, urgency, secrecy: 'normal', file_id: fileId, due_date: i % 4 === 0 ? new Date(Date.parse(`${arrival}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10) : null, status: 'registered', search_text: foldVietnamese(`${100 + i * 7}/${notation} ${author} ${text}`), registered_by: clerk.account_id, created_at: new Date().toISOString() })
          .execute();
        await indexDocument(trx, ctx.database, 'incoming', id);
      });
    }
    const handled = await seedHandling(ctx, unitId, today);
    const issued = await seedOutgoing(ctx, unitId, year, today, ci);
    await db.transaction().execute((trx) => writeAudit(ctx.database, trx, systemContext('seed'), { action: 'documents.seed', entity: 'doc_incoming', unitId, detail: { count, handled, issued } }));
  }
}

const day = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Instructions in every state: most older arrivals done (some late), recent ones in progress or just assigned, one overdue, the newest waiting. */
async function seedHandling(ctx: AppContext, unitId: string, today: string) {
  const { db } = ctx.database;
  const leader = await db.selectFrom('auth_role_grant as g').innerJoin('auth_account as a', 'a.id', 'g.account_id').select(['a.id', 'a.display_name']).where('g.unit_id', '=', unitId).where('g.role', '=', 'commune_leader').executeTakeFirst();
  const officials = await db.selectFrom('auth_role_grant as g').innerJoin('auth_account as a', 'a.id', 'g.account_id').select(['a.id', 'a.display_name']).where('g.unit_id', '=', unitId).where('g.role', '=', 'commune_official').execute();
  if (!leader || !officials.length) return 0;
  const docs = await db.selectFrom('doc_incoming').select(['id', 'arrival_date']).where('unit_id', '=', unitId).orderBy('arrival_number').execute();
  let n = 0;
  for (const [i, d] of docs.entries()) {
    if (i >= docs.length - 3) break; // the newest wait for the leader
    const lead = officials[i % officials.length]!;
    const deadline = day(d.arrival_date, 7 + (i % 5));
    const overdue = deadline < today && i === docs.length - 5;
    const done = deadline < today && !overdue;
    const at = `${d.arrival_date}T03:00:00.000Z`;
    const id = crypto.randomUUID();
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('doc_assignment').values({ id, document_id: d.id, unit_id: unitId, instructed_by: leader.id, lead_id: lead.id, deadline, comment: 'Đề nghị nghiên cứu, tham mưu thực hiện.', status: done ? 'done' : 'open', result_note: done ? 'Đã tham mưu và báo cáo lãnh đạo.' : null, reply_code: null, done_at: done ? `${day(deadline, i % 3 === 0 ? 1 : -1)}T09:00:00.000Z` : null, created_at: at }).execute();
      await trx.insertInto('doc_assignee').values({ assignment_id: id, account_id: lead.id, role: 'lead' }).execute();
      const status = done ? 'done' : i % 2 ? 'in_progress' : 'assigned';
      await trx.updateTable('doc_incoming').set({ status, due_date: deadline }).where('id', '=', d.id).execute();
      await indexStatus(trx, 'incoming', d.id, status);
      const events = [{ event: 'instructed', actor: leader, note: 'Đề nghị nghiên cứu, tham mưu thực hiện.', at }];
      if (done || i % 2) events.push({ event: 'progress', actor: lead, note: 'Đang tổng hợp.', at: `${day(d.arrival_date, 2)}T08:00:00.000Z` });
      if (done) events.push({ event: 'done', actor: lead, note: 'Đã tham mưu và báo cáo lãnh đạo.', at: `${day(deadline, -1)}T09:00:00.000Z` });
      await trx.insertInto('doc_event').values(events.map((e) => ({ id: crypto.randomUUID(), document_id: d.id, event: e.event, actor_id: e.actor.id, actor_label: e.actor.display_name, note: e.note, at: e.at }))).execute();
    });
    n++;
  }
  return n;
}

/** A dozen outgoing documents of the year: issued to the province (received in its register), one signed awaiting issue, one draft. */
async function seedOutgoing(ctx: AppContext, unitId: string, year: number, today: string, ci: number) {
  const { db } = ctx.database;
  const leader = await db.selectFrom('auth_role_grant').select('account_id').where('unit_id', '=', unitId).where('role', '=', 'commune_leader').executeTakeFirst();
  const drafter = await db.selectFrom('auth_role_grant').select('account_id').where('unit_id', '=', unitId).where('role', '=', 'commune_official').executeTakeFirst();
  const unit = await db.selectFrom('unit').select(['name', 'parent_id']).where('id', '=', unitId).executeTakeFirstOrThrow();
  if (!leader || !drafter || !unit.parent_id) return 0;
  const kinds: [string, string, string][] = [
    ['report', '', 'Báo cáo kết quả thực hiện chuyển đổi số tháng'],
    ['official_letter', 'VX', 'Về việc đề nghị hỗ trợ tập huấn kỹ năng số cho người dân'],
    ['plan', '', 'Kế hoạch tuyên truyền kích hoạt tài khoản định danh điện tử'],
    ['decision', '', 'Quyết định kiện toàn Tổ công nghệ số cộng đồng các thôn'],
  ];
  const { symbolOf } = await import('./outgoing.ts');
  const count = 12;
  for (let i = 0; i < count; i++) {
    const [type, dept, subject] = kinds[(i + ci) % kinds.length]!;
    const status = i === count - 1 ? 'draft' : i === count - 2 ? 'signed' : 'issued';
    const signed = day(`${year}-01-05`, Math.floor(((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${year}-01-05T00:00:00Z`)) / 86_400_000) * (i / count)));
    const doc = newPdf({ title: subject });
    doc.font('bold').text(unit.name.toUpperCase()).moveDown().font('regular').text(subject).moveDown().text('Văn bản minh họa của bản trình diễn Xã Số.');
    const pdf = await pdfBytes(doc);
    await db.transaction().execute(async (trx) => {
      const fileId = await storeFile(ctx, trx, { kind: 'upload', filename: 'van-ban-di.pdf', declaredType: 'application/pdf', data: pdf, tooLarge: false }, { mime: 'application/pdf', unitId, ownerId: drafter.account_id });
      const number = status === 'draft' ? null : await nextNumber(trx, `doc.outgoing.regular:${unitId}`, String(year));
      const code = number === null ? null : symbolOf(number, type, dept);
      const id = crypto.randomUUID();
      await trx
        .insertInto('doc_outgoing')
        .values({ id, unit_id: unitId, origin_unit_id: unitId, type_code: type, subject, drafting_dept: dept, urgency: 'normal', secrecy: 'normal', signer_id: leader.account_id, status, series: 'regular', year: number === null ? null : year, number, code, signed_date: number === null ? null : signed, outside_recipients: 'Lưu: VT', file_id: fileId, search_text: foldVietnamese(subject), created_by: drafter.account_id, created_at: `${signed}T02:00:00.000Z`, updated_at: `${signed}T02:00:00.000Z` })
        .execute();
      await trx.insertInto('doc_outgoing_recipient').values({ document_id: id, unit_id: unit.parent_id!, incoming_id: null }).execute();
      await indexDocument(trx, ctx.database, 'outgoing', id);
      if (status === 'issued' && code) {
        const incomingId = crypto.randomUUID();
        const n = await nextNumber(trx, `doc.incoming:${unit.parent_id!}`, String(year));
        const [codeNumber, ...rest] = code.split('/');
        await trx
          .insertInto('doc_incoming')
          .values({ id: incomingId, unit_id: unit.parent_id!, origin_unit_id: unit.parent_id!, year, arrival_number: n, arrival_date: signed, author_org: unit.name, code_number: codeNumber!, code_notation: rest.join('/'), issued_date: signed, type_code: type, subject, urgency: 'normal', secrecy: 'normal', file_id: fileId, due_date: null, status: 'registered', search_text: foldVietnamese(`${code} ${unit.name} ${subject}`), registered_by: drafter.account_id, created_at: `${signed}T03:00:00.000Z` })
          .execute();
        await trx.updateTable('doc_outgoing_recipient').set({ incoming_id: incomingId }).where('document_id', '=', id).execute();
        await indexDocument(trx, ctx.database, 'incoming', incomingId);
      }
    });
  }
  return count;
}
