import crypto from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { systemContext, writeAudit } from '../../platform/audit/audit.ts';
import { foldVietnamese } from '../../platform/search.ts';
import { prepareImage, saveImage, type PreparedImage } from './images.ts';
import { PAGE_SLUGS, sanitizeBody, slugify, textOf } from './content.ts';

const PILOTS = ['u-25201', 'u-25202', 'u-25203', 'u-25204'];

/** An illustrative landscape drawn here (sky, sun, hills, tea rows or rice fields): no photo is downloaded. */
async function landscape(seed: number) {
  const { default: sharp } = await import('sharp');
  const hue = (seed * 47) % 360;
  const sky = `hsl(${(hue + 190) % 360}, 60%, 78%)`;
  const hill = (k: number) => `hsl(${(100 + hue / 6 + k * 12) % 360}, ${45 + k * 8}%, ${38 - k * 6}%)`;
  const rows = Array.from({ length: 9 }, (_, i) => `<path d="M0 ${430 + i * 22} Q 600 ${400 + i * 22 + (seed % 5) * 6} 1200 ${440 + i * 22}" stroke="hsl(110, 40%, ${30 + (i % 2) * 8}%)" stroke-width="9" fill="none"/>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" viewBox="0 0 1200 675">
    <rect width="1200" height="675" fill="${sky}"/>
    <circle cx="${200 + (seed * 137) % 800}" cy="${110 + (seed % 3) * 30}" r="60" fill="hsl(45, 95%, 65%)"/>
    <path d="M0 360 Q 300 ${220 + (seed % 7) * 15} 600 330 T 1200 300 V 675 H 0 Z" fill="${hill(0)}"/>
    <path d="M0 420 Q 400 ${330 + (seed % 5) * 12} 800 400 T 1200 380 V 675 H 0 Z" fill="${hill(1)}"/>
    <rect y="470" width="1200" height="205" fill="${hill(2)}"/>${rows}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

/**
 * The demo's pictures: a dozen landscapes, each drawn and resized once per process and shared by the
 * articles and products that show it (drawing and resizing every picture took most of the demo's start).
 */
const LANDSCAPES = 12;
const pictures = new Map<number, Promise<PreparedImage>>();
function picture(n: number): Promise<PreparedImage> {
  const k = n % LANDSCAPES;
  let made = pictures.get(k);
  if (!made) {
    made = landscape(k).then((jpeg) => prepareImage(jpeg));
    made.catch(() => pictures.delete(k));
    pictures.set(k, made);
  }
  return made;
}

const NEWS: [string, string, string][] = [
  ['digital', 'Tổ công nghệ số cộng đồng ra quân hỗ trợ người dân kích hoạt VNeID mức 2', 'Các tổ công nghệ số cộng đồng của {xa} đã đến từng hộ gia đình hướng dẫn kích hoạt tài khoản định danh điện tử mức 2.'],
  ['politics', 'Hội nghị triển khai Kế hoạch chuyển đổi số năm {nam}', 'Ủy ban nhân dân {xa} tổ chức hội nghị triển khai các nhiệm vụ chuyển đổi số trọng tâm của năm.'],
  ['agriculture', 'Nông dân {xa} thu hoạch vụ chè và rau an toàn', 'Vụ thu hoạch năm nay cho năng suất khá; nhiều hộ đã bán sản phẩm qua sàn thương mại điện tử.'],
  ['digital', 'Tập huấn kỹ năng số cho cán bộ, công chức xã', 'Lớp tập huấn giúp cán bộ, công chức sử dụng thành thạo hệ thống một cửa điện tử và chữ ký số.'],
  ['security', 'Công an xã tuyên truyền phòng chống lừa đảo qua mạng', 'Công an xã khuyến cáo người dân không cung cấp mã OTP và không truy cập đường dẫn lạ.'],
  ['economy', 'Người dân thanh toán tiền điện, nước qua ứng dụng ngân hàng', 'Ngày càng nhiều hộ gia đình trong xã thanh toán các hóa đơn không dùng tiền mặt.'],
  ['culture', 'Giải bóng chuyền hơi chào mừng Quốc khánh 2/9', 'Giải đấu thu hút các đội đến từ các thôn, tổ dân phố trong xã tham gia.'],
  ['agriculture', 'Mô hình trồng rau an toàn cho thu nhập ổn định', 'Mô hình sản xuất theo hướng an toàn, có truy xuất nguồn gốc, giúp nông dân tăng thu nhập.'],
  ['digital', 'Ra mắt mô hình “Thôn thông minh” đầu tiên của xã', 'Thôn thông minh có Wi-Fi miễn phí tại nhà văn hóa và nhóm Zalo kết nối người dân với chính quyền.'],
  ['culture', 'Ngày hội đại đoàn kết toàn dân tộc ở các khu dân cư', 'Ngày hội là dịp để nhân dân ôn lại truyền thống và biểu dương gương người tốt việc tốt.'],
];
const ANNOUNCEMENTS: [string, string, string, boolean][] = [
  ['administration', 'Lịch tiếp công dân tháng {thang}', 'Chủ tịch UBND {xa} tiếp công dân định kỳ vào thứ Năm hằng tuần tại trụ sở.', true],
  ['health', 'Thông báo lịch tiêm chủng mở rộng tháng {thang}', 'Trạm Y tế xã tổ chức tiêm chủng cho trẻ em trong độ tuổi; phụ huynh mang theo sổ tiêm chủng.', true],
  ['public_services', 'Thời gian làm việc của Bộ phận Một cửa', 'Bộ phận Một cửa tiếp nhận hồ sơ từ thứ Hai đến thứ Sáu, sáng từ 7 giờ 30, chiều từ 13 giờ 30.', false],
  ['public_services', 'Hướng dẫn nộp hồ sơ đăng ký khai sinh trực tuyến', 'Người dân có thể nộp hồ sơ đăng ký khai sinh trên Cổng dịch vụ công mà không cần đến trụ sở.', false],
  ['education', 'Thông báo tuyển sinh lớp 1 và lớp 6 năm học mới', 'Các trường trên địa bàn xã nhận hồ sơ tuyển sinh theo hình thức trực tuyến và trực tiếp.', false],
  ['emergency', 'Cảnh báo mưa lớn, nguy cơ lũ quét và sạt lở đất', 'Người dân ở khu vực ven suối, sườn đồi chủ động di chuyển tài sản, theo dõi loa phát thanh của xã.', false],
  ['other', 'Thông báo cắt điện để bảo dưỡng lưới điện', 'Điện lực khu vực tạm ngừng cấp điện để bảo dưỡng đường dây; mong nhân dân thông cảm.', false],
];

const body = (lead: string, commune: string) =>
  sanitizeBody(
    `<p>Văn phòng HĐND và UBND ${commune} thông tin: ${lead.charAt(0).toLowerCase()}${lead.slice(1)}</p>` +
      `<h2>Nội dung chính</h2><p>Thực hiện chỉ đạo của cấp trên, ${commune} đã xây dựng kế hoạch cụ thể, phân công nhiệm vụ cho từng bộ phận và các thôn, tổ dân phố.</p>` +
      `<ul><li>Tuyên truyền rộng rãi trên loa phát thanh và nhóm Zalo của thôn.</li><li>Tổ công nghệ số cộng đồng hỗ trợ tận nhà các hộ còn khó khăn.</li><li>Tổng hợp kết quả, báo cáo Ban chỉ đạo hằng tháng.</li></ul>` +
      `<p>Mọi thắc mắc xin liên hệ Văn phòng UBND xã trong giờ hành chính.</p>`,
  );

/**
 * Demo mode: three months of news and announcements for the pilot communes (invented, illustrative),
 * with pictures drawn here; a few pinned, one scheduled, one expired, one waiting for review and one
 * draft, so every state shows. Runs once.
 */
export async function seedPortal(ctx: AppContext, opts: { demo: boolean }) {
  if (!opts.demo) return;
  const { db } = ctx.database;
  if (await db.selectFrom('portal_article').select('id').limit(1).executeTakeFirst()) return;
  const communes = await db.selectFrom('unit').select(['id', 'name']).where('id', 'in', PILOTS).where('valid_to', 'is', null).execute();
  const now = Date.now();
  const day = 86_400_000;
  const year = new Date().getUTCFullYear();
  const month = `${new Date().getUTCMonth() + 1}/${year}`;
  for (const [ci, c] of communes.entries()) {
    const author = await db.selectFrom('auth_role_grant').innerJoin('auth_account', 'auth_account.id', 'auth_role_grant.account_id').select('auth_account.id').where('auth_role_grant.unit_id', '=', c.id).where('auth_role_grant.role', '=', 'commune_official').executeTakeFirst();
    const leader = await db.selectFrom('auth_role_grant').innerJoin('auth_account', 'auth_account.id', 'auth_role_grant.account_id').select('auth_account.id').where('auth_role_grant.unit_id', '=', c.id).where('auth_role_grant.role', '=', 'commune_leader').executeTakeFirst();
    const authorId = author?.id ?? leader?.id;
    if (!authorId) continue;
    const fill = (s: string) => s.replace('{xa}', c.name).replace('{nam}', String(year)).replace('{thang}', month);
    const items = [
      ...NEWS.map(([category, title, lead], i) => ({ kind: 'news', category, title: fill(title), lead: fill(lead), pinned: false, ageDays: 3 + i * 9 + ci, i })),
      ...ANNOUNCEMENTS.map(([category, title, lead, pinned], i) => ({ kind: 'announcement', category, title: fill(title), lead: fill(lead), pinned, ageDays: 1 + i * 11 + ci, i: i + NEWS.length })),
    ];
    for (const item of items) {
      const withImage = item.kind === 'news';
      const image = withImage ? await saveImage(ctx, c.id, authorId, await picture(ci * 31 + item.i), `Ảnh minh họa: ${item.title}`) : null;
      // Every state shows: the last news item waits for review, the one before is a draft; an
      // announcement is scheduled for tomorrow, the power cut has expired.
      const status = item.kind === 'news' && item.i === NEWS.length - 1 ? 'review' : item.kind === 'news' && item.i === NEWS.length - 2 ? 'draft' : 'published';
      const publishAt = item.title.includes('tuyển sinh') ? new Date(now + day).toISOString() : new Date(now - item.ageDays * day).toISOString();
      const expiresAt = item.category === 'other' ? new Date(now - day).toISOString() : item.category === 'emergency' ? new Date(now + 20 * day).toISOString() : null;
      const html = body(item.lead, c.name);
      const id = crypto.randomUUID();
      const at = new Date(now - item.ageDays * day).toISOString();
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('portal_article')
          .values({
            id,
            unit_id: c.id,
            origin_unit_id: c.id,
            kind: item.kind,
            slug: `${slugify(item.title)}-${item.i + 1}`,
            title: item.title,
            summary: item.lead,
            body_html: html,
            category: item.category,
            image_id: image?.id ?? null,
            status,
            pinned: item.pinned ? 1 : 0,
            publish_at: status === 'published' ? publishAt : null,
            expires_at: expiresAt,
            review_note: null,
            author_id: authorId,
            approver_id: status === 'published' ? (leader?.id ?? null) : null,
            search_text: foldVietnamese(`${item.title} ${item.lead} ${textOf(html)}`),
            created_at: at,
            updated_at: at,
          })
          .execute();
        await trx.insertInto('portal_revision').values({ id: crypto.randomUUID(), article_id: id, n: 1, title: item.title, summary: item.lead, body_html: html, event: status === 'published' ? 'published' : 'saved', note: null, actor_id: authorId, actor_label: 'Dữ liệu minh họa', at }).execute();
      });
    }
    // The standing pages.
    const villages = await db.selectFrom('unit').select('name').where('parent_id', '=', c.id).where('valid_to', 'is', null).orderBy('code').execute();
    const chair = await db.selectFrom('auth_account').select('display_name').where('id', '=', leader?.id ?? '').executeTakeFirst();
    const phone = `0210 38${String(ci + 1).padStart(2, '0')}`;
    const pages: [string, string, string, string][] = [
      ['introduction', `Giới thiệu ${c.name}`, `${c.name} thuộc tỉnh Phú Thọ, hoạt động theo mô hình chính quyền hai cấp từ ngày 1/7/2025.`, `<p>${c.name} có ${villages.length} thôn, tổ dân phố: ${villages.map((v) => v.name).join(', ')}.</p><h2>Điều kiện tự nhiên</h2><p>Địa hình trung du, đồi thấp xen cánh đồng; khí hậu nhiệt đới gió mùa. Thế mạnh: chè, lúa, rau an toàn và du lịch cộng đồng (số liệu minh họa).</p><h2>Chuyển đổi số</h2><p>Xã là một trong những địa phương thí điểm chuyển đổi số của tỉnh, với tổ công nghệ số cộng đồng ở mọi thôn.</p>`],
      ['leadership', `Lãnh đạo ${c.name}`, 'Thường trực Đảng ủy, HĐND và lãnh đạo UBND xã.', `<table><thead><tr><th scope="col">Họ và tên</th><th scope="col">Chức vụ</th><th scope="col">Điện thoại</th></tr></thead><tbody><tr><td>${chair?.display_name ?? 'Chủ tịch UBND xã'}</td><td>Chủ tịch UBND xã</td><td>${phone}01</td></tr><tr><td>Nguyễn Văn Phó</td><td>Phó Chủ tịch UBND xã</td><td>${phone}02</td></tr><tr><td>Lê Thị Thư</td><td>Chủ tịch HĐND xã</td><td>${phone}03</td></tr></tbody></table><p>Tên và số điện thoại là minh họa.</p>`],
      ['contacts', 'Cơ cấu tổ chức và thông tin liên hệ', 'Các phòng, bộ phận của UBND xã và cách liên hệ.', `<ul><li><strong>Văn phòng HĐND và UBND</strong> — ${phone}10</li><li><strong>Phòng Kinh tế</strong> — ${phone}11</li><li><strong>Phòng Văn hóa - Xã hội</strong> — ${phone}12</li><li><strong>Trung tâm Phục vụ hành chính công</strong> — ${phone}13</li><li><strong>Công an xã</strong> — ${phone}14</li></ul><p>Thư điện tử: <a href="mailto:ubnd@xa${c.id.slice(2)}.phutho.gov.vn">ubnd@xa${c.id.slice(2)}.phutho.gov.vn</a> (minh họa).</p>`],
      ['opening_hours', 'Giờ làm việc của Bộ phận Một cửa', 'Bộ phận Một cửa tiếp nhận và trả kết quả hồ sơ trong giờ hành chính.', `<table><thead><tr><th scope="col">Ngày</th><th scope="col">Sáng</th><th scope="col">Chiều</th></tr></thead><tbody><tr><td>Thứ Hai – Thứ Sáu</td><td>7:30 – 11:30</td><td>13:30 – 17:00</td></tr><tr><td>Thứ Bảy</td><td>7:30 – 11:30 (hộ tịch, chứng thực)</td><td>Nghỉ</td></tr></tbody></table><p>Hồ sơ hộ tịch, chứng thực nhận sau 15:00 được trả kết quả vào ngày làm việc tiếp theo.</p>`],
      ['map', 'Bản đồ và đường đến trụ sở', 'Trụ sở UBND xã nằm ở trung tâm xã, cạnh nhà văn hóa.', `<p>Từ thành phố Việt Trì đi theo quốc lộ khoảng 40 km, rẽ vào đường liên xã; trụ sở UBND ${c.name} ở bên phải, đối diện trường tiểu học.</p><p>Các thôn: ${villages.map((v) => v.name).join(' · ')}.</p>`],
    ];
    for (const [category, title, summary, html] of pages) {
      const id = crypto.randomUUID();
      const at = new Date(now - 100 * day).toISOString();
      const clean = sanitizeBody(html);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('portal_article')
          .values({ id, unit_id: c.id, origin_unit_id: c.id, kind: 'page', slug: PAGE_SLUGS[category as keyof typeof PAGE_SLUGS], title, summary, body_html: clean, category, image_id: null, status: 'published', pinned: 0, publish_at: at, expires_at: null, review_note: null, author_id: authorId, approver_id: leader?.id ?? null, search_text: foldVietnamese(`${title} ${summary} ${textOf(clean)}`), created_at: at, updated_at: at })
          .execute();
        await trx.insertInto('portal_revision').values({ id: crypto.randomUUID(), article_id: id, n: 1, title, summary, body_html: clean, event: 'published', note: null, actor_id: authorId, actor_label: 'Dữ liệu minh họa', at }).execute();
      });
    }
    const products = await seedProducts(ctx, c.id, authorId, leader?.id ?? authorId, ci);
    await db.transaction().execute((trx) => writeAudit(ctx.database, trx, systemContext('seed'), { action: 'portal.seed', entity: 'portal_article', unitId: c.id, detail: { articles: items.length, pages: pages.length, products } }));
  }
}

/** Real kinds of products of the pilot communes (names of producers and prices invented). */
const PRODUCTS: Record<string, { producer: [string, string, string]; items: [string, string, number, number | null, string, string, string, string][] }> = {
  'u-25201': {
    producer: ['Hợp tác xã Chè Hướng Đạo (minh họa)', 'cooperative', 'Nguyễn Văn Chè'],
    items: [
      ['Chè xanh Hướng Đạo', 'tea', 3, 180_000, 'kg', 'Tháng 3 – tháng 10', 'VietGAP; OCOP 3 sao', 'Vùng chè đồi thôn Đồng Bùa; sao thủ công bằng chảo gang; mã lô in trên bao bì.'],
      ['Mật ong hoa nhãn', 'processed_food', 0, 250_000, 'chai 500 ml', 'Tháng 4 – tháng 5', '', 'Đàn ong nuôi tại vườn nhãn của các hộ trong xã.'],
      ['Gạo nếp cái hoa vàng', 'rice', 0, 45_000, 'kg', 'Vụ mùa (tháng 10)', '', 'Cánh đồng mẫu thôn Hướng Đạo.'],
    ],
  },
  'u-25202': {
    producer: ['Hộ sản xuất bưởi Lãng Công (minh họa)', 'household', 'Bùi Văn Bưởi'],
    items: [
      ['Bưởi Lãng Công', 'fruit', 3, 35_000, 'quả', 'Tháng 9 – tháng 12', 'OCOP 3 sao', 'Vườn bưởi ven sông Lô; không dùng thuốc kích thích.'],
      ['Gà đồi Sông Lô', 'livestock', 0, 160_000, 'kg', 'Quanh năm', '', 'Gà thả đồi, nuôi trên 5 tháng.'],
      ['Cá lăng sông Lô', 'aquatic', 0, null, 'kg', 'Quanh năm', '', 'Nuôi lồng trên sông Lô.'],
    ],
  },
  'u-25203': {
    producer: ['Cơ sở chế biến nông sản Thổ Tang (minh họa)', 'enterprise', 'Đặng Thị Thu'],
    items: [
      ['Miến dong Thổ Tang', 'processed_food', 3, 70_000, 'gói 500 g', 'Tháng 11 – tháng 2', 'OCOP 3 sao', 'Củ dong riềng của các hộ liên kết; phơi nắng tự nhiên.'],
      ['Bí đỏ hữu cơ', 'vegetables', 0, 20_000, 'kg', 'Tháng 5 – tháng 8', 'Hữu cơ (minh họa)', ''],
    ],
  },
  'u-25204': {
    producer: ['Hợp tác xã Nông nghiệp Tam Đảo (minh họa)', 'cooperative', 'Phan Văn Núi'],
    items: [
      ['Chè Tam Đảo', 'tea', 4, 220_000, 'hộp 200 g', 'Tháng 3 – tháng 11', 'VietGAP; OCOP 4 sao', 'Đồi chè dưới chân núi Tam Đảo; chế biến tại xưởng của hợp tác xã.'],
      ['Su su Tam Đảo', 'vegetables', 3, 15_000, 'kg', 'Quanh năm', 'VietGAP; OCOP 3 sao', 'Giàn su su trên sườn núi, độ cao trên 800 m.'],
      ['Cà gai leo Tam Đảo', 'herbal', 0, 120_000, 'gói 500 g', 'Quanh năm', '', 'Trồng dưới tán rừng; sấy khô.'],
    ],
  },
};

async function seedProducts(ctx: AppContext, unitId: string, authorId: string, moderatorId: string, ci: number) {
  const spec = PRODUCTS[unitId];
  if (!spec) return 0;
  const { db } = ctx.database;
  const at = new Date().toISOString();
  const producerId = crypto.randomUUID();
  await db
    .insertInto('portal_producer')
    .values({ id: producerId, unit_id: unitId, origin_unit_id: unitId, name: spec.producer[0], kind: spec.producer[1], representative: spec.producer[2], phone: `09${String(12345670 + ci * 11)}`, zalo: `https://zalo.me/09${String(12345670 + ci * 11)}`, address: 'Trung tâm xã (minh họa)', created_at: at, updated_at: at })
    .execute();
  for (const [i, [name, category, stars, price, unit, season, certifications, traceability]] of spec.items.entries()) {
    const image = await saveImage(ctx, unitId, authorId, await picture(100 + ci * 7 + i), `Ảnh minh họa: ${name}`);
    const id = crypto.randomUUID();
    const description = sanitizeBody(`<p>${name} là sản phẩm của ${spec.producer[0]}.</p><p>Sản phẩm được giới thiệu trên cổng thông tin của xã để người mua liên hệ trực tiếp hoặc đặt mua trên sàn thương mại điện tử.</p>`);
    // The last product of the first commune waits for moderation (the demo shows the step).
    const status = ci === 0 && i === spec.items.length - 1 ? 'pending' : 'approved';
    await db
      .insertInto('portal_product')
      .values({ id, unit_id: unitId, origin_unit_id: unitId, producer_id: producerId, slug: slugify(name), name, category, ocop_stars: stars, description_html: description, price, price_unit: unit, season, certifications, traceability, image_id: image.id, status, moderation_note: null, edited_by: authorId, moderated_by: status === 'approved' ? moderatorId : null, search_text: foldVietnamese(`${name} ${certifications}`), created_at: at, updated_at: at })
      .execute();
    const keyword = encodeURIComponent(foldVietnamese(name));
    await db.insertInto('portal_listing').values([
      { id: crypto.randomUUID(), product_id: id, marketplace: 'shopee', url: `https://shopee.vn/search?keyword=${keyword}`, created_at: at },
      { id: crypto.randomUUID(), product_id: id, marketplace: 'postmart', url: `https://postmart.vn/tim-kiem?q=${keyword}`, created_at: at },
    ]).execute();
  }
  return spec.items.length;
}
