import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { systemContext, writeAudit } from '../../platform/audit/audit.ts';
import { storeFile } from '../../platform/files/files.ts';
import { newPdf, pdfBytes } from '../../platform/pdf/document.ts';
import { localToday } from '../../platform/i18n/index.ts';

/** The province and the pilot communes have a committee in demo mode (names invented, numbers illustrative). */
const COMMITTEES: { unit: string; people: [string, string, string][] }[] = [
  {
    unit: 'u-25',
    people: [
      ['Nguyễn Văn Tỉnh', 'Chủ tịch UBND tỉnh', 'head'],
      ['Lê Minh Đức', 'Phó Chủ tịch UBND tỉnh', 'deputy'],
      ['Trần Thu Hà', 'Giám đốc Sở Khoa học và Công nghệ', 'member'],
      ['Phạm Quốc Việt', 'Giám đốc Công an tỉnh', 'member'],
      ['Đỗ Thanh Hương', 'Chuyên viên Sở Khoa học và Công nghệ', 'secretary'],
    ],
  },
  ...[
    ['u-25201', 'Trần Văn Hùng', 'Lê Thị Mai', 'Phạm Văn Nam', 'Vũ Đức Anh'],
    ['u-25202', 'Bùi Văn Quang', 'Ngô Thị Hạnh', 'Lưu Văn Tâm', 'Dương Đức Lộc'],
    ['u-25203', 'Đặng Văn Toàn', 'Hoàng Thị Lan', 'Nguyễn Hữu Phong', 'Đỗ Minh Quân'],
    ['u-25204', 'Phan Thị Hương', 'Trần Ngọc Yến', 'Lê Quang Sơn', 'Vũ Văn Hải'],
  ].map(([unit, chair, clerk, culture, police]) => ({
    unit: unit!,
    people: [
      [chair!, 'Chủ tịch UBND xã', 'head'],
      ['Nguyễn Văn Phó', 'Phó Chủ tịch UBND xã', 'deputy'],
      [culture!, 'Công chức Văn hóa - Xã hội', 'member'],
      [police!, 'Trưởng Công an xã', 'member'],
      [clerk!, 'Công chức Văn phòng - Thống kê', 'secretary'],
    ] as [string, string, string][],
  })),
];

const TASKS: [string, number, number][] = [
  // title, deadline month, owner index
  ['Kiện toàn Tổ công nghệ số cộng đồng ở tất cả thôn', 2, 1],
  ['Tập huấn kỹ năng số cho cán bộ, công chức', 4, 4],
  ['Phối hợp công an kích hoạt VNeID mức 2 cho người dân', 6, 3],
  ['Gắn địa chỉ số cho các hộ gia đình', 8, 2],
  ['Đưa sản phẩm OCOP lên sàn thương mại điện tử', 9, 2],
  ['Vận động hộ gia đình thanh toán điện, nước trực tuyến', 10, 1],
  ['Tổng kết, báo cáo kết quả chuyển đổi số năm', 12, 4],
];

async function pdfOf(title: string, lines: string[]) {
  const doc = newPdf({ title });
  doc.font('bold').fontSize(14).text(title, { align: 'center' }).moveDown();
  doc.font('regular').fontSize(12);
  for (const l of lines) doc.text(l).moveDown(0.5);
  return pdfBytes(doc);
}

/**
 * Demo mode: a steering committee for the province and each pilot commune — five members, the
 * establishing decision and the regulation as PDFs, this year's plan with seven tasks in every state
 * (done, in progress, overdue, not yet due). Runs once.
 */
export async function seedCommittees(ctx: AppContext) {
  const { db } = ctx.database;
  if (await db.selectFrom('sc_member').select('id').limit(1).executeTakeFirst()) return;
  const units = new Map((await db.selectFrom('unit').select(['id', 'name']).where('id', 'in', COMMITTEES.map((c) => c.unit)).execute()).map((u) => [u.id, u.name]));
  const today = localToday();
  const year = Number(today.slice(0, 4));
  const at = new Date().toISOString();
  for (const [ci, c] of COMMITTEES.entries()) {
    const name = units.get(c.unit);
    if (!name) continue;
    const decision = await pdfOf(`Quyết định thành lập Ban chỉ đạo chuyển đổi số — ${name}`, ['Văn bản minh họa của bản trình diễn Xã Số.', ...c.people.map(([n, p]) => `${n}, ${p}`)]);
    const regulation = await pdfOf(`Quy chế hoạt động của Ban chỉ đạo chuyển đổi số — ${name}`, ['Văn bản minh họa của bản trình diễn Xã Số.', 'Ban chỉ đạo họp định kỳ mỗi quý một lần; Trưởng ban triệu tập họp bất thường khi cần.']);
    await db.transaction().execute(async (trx) => {
      const ids: string[] = [];
      for (const [fullName, position, role] of c.people) {
        const id = crypto.randomUUID();
        ids.push(id);
        await trx.insertInto('sc_member').values({ id, unit_id: c.unit, full_name: fullName, position, committee_role: role, phone: null, joined_on: `${year - 2}-03-01`, left_on: null, created_at: at }).execute();
      }
      for (const [kind, number, data, title] of [
        ['decision', `${15 + ci}/QĐ-UBND`, decision, `Quyết định thành lập Ban chỉ đạo chuyển đổi số`],
        ['regulation', `${16 + ci}/QĐ-UBND`, regulation, `Quy chế hoạt động của Ban chỉ đạo chuyển đổi số`],
      ] as const) {
        const fileId = await storeFile(ctx, trx, { kind: 'upload', filename: `${kind}.pdf`, declaredType: 'application/pdf', data, tooLarge: false }, { mime: 'application/pdf', unitId: c.unit, ownerId: null });
        await trx.insertInto('sc_document').values({ id: crypto.randomUUID(), unit_id: c.unit, kind, number, issued_on: `${year - 2}-03-01`, title, file_id: fileId, created_at: at }).execute();
      }
      const planId = crypto.randomUUID();
      await trx.insertInto('sc_plan').values({ id: planId, unit_id: c.unit, year, number: `${40 + ci}/KH-UBND`, title: `Kế hoạch chuyển đổi số năm ${year}`, issued_on: `${year}-01-15`, created_at: at }).execute();
      for (const [ti, [title, month, owner]] of TASKS.entries()) {
        const deadline = `${year}-${String(month).padStart(2, '0')}-28`;
        // Past deadlines mostly done, one left overdue per committee; the rest in progress or not started.
        const status = deadline < today ? (ti === (ci % 3) + 2 ? 'doing' : 'done') : ti % 2 ? 'doing' : 'todo';
        await trx
          .insertInto('sc_task')
          .values({ id: crypto.randomUUID(), plan_id: planId, title, owner_id: ids[owner]!, deadline, status, note: status === 'done' ? 'Đã hoàn thành theo kế hoạch.' : null, done_on: status === 'done' ? deadline : null, updated_at: at })
          .execute();
      }
      await writeAudit(ctx.database, trx, systemContext('seed'), { action: 'committee.seed', entity: 'sc_plan', entityId: planId, unitId: c.unit });
    });
  }
}
