import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';

describe.each(DIALECTS)('local products on %s', (dialect) => {
  let t: TestApp;
  let official: Browser;
  let leader: Browser;
  let visitor: Browser;
  const db = () => t.ctx.database.db;
  const product = (name: string) => db().selectFrom('portal_product').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await testApp(dialect);
    official = new Browser(t.app);
    await signIn(official, 'huongdao.vhtt');
    leader = new Browser(t.app);
    await signIn(leader, 'huongdao.chutich');
    visitor = new Browser(t.app);
  });
  afterAll(() => t.close());

  it('lists the province’s products with filters by commune, category and OCOP stars', async () => {
    const all = await visitor.get('/san-pham');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('Chè Tam Đảo');
    expect(all.body).toContain('Bưởi Lãng Công');
    // Waiting for moderation: not public.
    expect(all.body).not.toContain('Gạo nếp cái hoa vàng');
    const four = await visitor.get('/san-pham?sao=4');
    expect(four.body).toContain('Chè Tam Đảo');
    expect(four.body).not.toContain('Su su Tam Đảo');
    const langCong = await visitor.get('/san-pham?xa=25202&loai=fruit');
    expect(langCong.body).toContain('Bưởi Lãng Công');
    expect(langCong.body).not.toContain('Gà đồi Sông Lô');
    expect((await visitor.get('/xa/25204')).body).toContain('<h2 id="home-products">Sản phẩm địa phương</h2>');
  });

  it('shows a product with price, OCOP stars, the producer’s contacts, marketplace links and a QR code', async () => {
    const page = await visitor.get('/xa/25204/san-pham/che-tam-dao');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('OCOP 4 sao');
    expect(page.body).toMatch(/220\.000\s?đ \/ hộp 200 g/);
    expect(page.body).toMatch(/<a class="button" href="tel:09\d{8}">/);
    expect(page.body).toContain('href="https://zalo.me/');
    expect(page.body).toMatch(/<a href="https:\/\/shopee\.vn\/search\?keyword=che%20tam%20dao" rel="nofollow noopener external">Shopee<\/a>/);
    const qr = await visitor.get('/xa/25204/san-pham/che-tam-dao/qr.svg');
    expect(qr.statusCode).toBe(200);
    expect(qr.headers['content-type']).toBe('image/svg+xml');
    expect(qr.body).toContain('<svg');
    expect((await visitor.get('/xa/25201/san-pham/gao-nep-cai-hoa-vang')).statusCode).toBe(404);
  });

  it('takes a producer and a product from an official; bad input is refused with the field named', async () => {
    const csrf = await official.csrf('/san-pham-dia-phuong');
    const badProducer = await official.post('/san-pham-dia-phuong/nha-san-xuat', { _csrf: csrf, name: 'HTX Rau sạch Đồng Bùa', kind: 'cooperative', representative: 'Lê Văn Rau', phone: '12345', zalo: 'http://zalo.me/x', address: 'Thôn Đồng Bùa' });
    expect(badProducer.statusCode).toBe(400);
    expect(badProducer.body).toContain('Số điện thoại: phải là số điện thoại Việt Nam');
    expect(badProducer.body).toContain('Liên kết Zalo: phải là liên kết Zalo bắt đầu bằng https://zalo.me/');
    expect((await official.post('/san-pham-dia-phuong/nha-san-xuat', { _csrf: csrf, name: 'HTX Rau sạch Đồng Bùa', kind: 'cooperative', representative: 'Lê Văn Rau', phone: '0912 345 678', zalo: '', address: 'Thôn Đồng Bùa' })).statusCode).toBe(303);
    const producer = await db().selectFrom('portal_producer').select('id').where('name', '=', 'HTX Rau sạch Đồng Bùa').executeTakeFirstOrThrow();
    const fields = { _csrf: csrf, producer_id: producer.id, name: 'Rau cải ngọt Đồng Bùa', category: 'vegetables', ocop_stars: '0', description_html: '<p>Rau trồng theo hướng an toàn.</p><img src="x" onerror="steal()"><script>steal()</script>', price: '25.000', price_unit: 'kg', season: 'Quanh năm', certifications: 'VietGAP', traceability: 'Cánh đồng thôn Đồng Bùa', image_id: '' };
    const bad = await official.post('/san-pham-dia-phuong', { ...fields, ocop_stars: '2', price: 'rẻ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Hạng OCOP: hạng OCOP là 3, 4 hoặc 5 sao');
    expect(bad.body).toContain('Giá bán: ghi giá bằng số đồng');
    expect((await official.post('/san-pham-dia-phuong', fields)).statusCode).toBe(303);
    const p = await product('Rau cải ngọt Đồng Bùa');
    expect(p).toMatchObject({ status: 'pending', price: 25000, description_html: '<p>Rau trồng theo hướng an toàn.</p>' });
    expect((await visitor.get(`/xa/25201/san-pham/${p.slug}`)).statusCode).toBe(404);
    // A marketplace link must be a web address.
    const url = `/san-pham-dia-phuong/${p.id}`;
    const js = await official.post(`${url}/gian-hang`, { _csrf: csrf, marketplace: 'shopee', url: 'javascript:alert(1)' });
    expect(js.statusCode).toBe(400);
    expect(js.body).toContain('Địa chỉ trang sản phẩm trên sàn: phải là địa chỉ web bắt đầu bằng https://');
    expect(await db().selectFrom('portal_listing').select('id').where('product_id', '=', p.id).execute()).toHaveLength(0);
    expect((await official.post(`${url}/gian-hang`, { _csrf: csrf, marketplace: 'postmart', url: 'https://postmart.vn/rau-cai-ngot' })).statusCode).toBe(303);
    // A photo that is not a picture is refused by its content.
    const notImage = await official.postMultipart(`${url}/anh`, { _csrf: csrf, alt: 'Ruộng rau' }, { image: { name: 'rau.png', type: 'image/png', data: Buffer.from('%PDF-1.4 not a picture') } });
    expect(notImage.statusCode).toBe(400);
  });

  it('needs another official to moderate: the author cannot approve their own entry; hiding needs a reason', async () => {
    const p = await product('Rau cải ngọt Đồng Bùa');
    const url = `/san-pham-dia-phuong/${p.id}`;
    const csrf = await official.csrf(url);
    const own = await official.post(`${url}/kiem-duyet`, { _csrf: csrf, decision: 'approve', note: '' });
    expect(own.statusCode).toBe(409);
    expect(own.body).toContain('Cần một cán bộ khác kiểm duyệt');
    expect((await product(p.name)).status).toBe('pending');
    const token = await leader.csrf(url);
    const noReason = await leader.post(`${url}/kiem-duyet`, { _csrf: token, decision: 'hide', note: '' });
    expect(noReason.statusCode).toBe(400);
    expect((await leader.post(`${url}/kiem-duyet`, { _csrf: token, decision: 'approve', note: '' })).statusCode).toBe(303);
    const page = await visitor.get(`/xa/25201/san-pham/${p.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('https://postmart.vn/rau-cai-ngot');
    expect(page.body).not.toContain('steal()');
    const audits = await db().selectFrom('audit_event').select('action').where('entity_id', '=', p.id).execute();
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['portal.product.create', 'portal.product.approve']));
    // Another commune's official cannot touch it.
    const other = new Browser(t.app);
    await signIn(other, 'langcong.tuphap');
    expect((await other.get(url)).statusCode).toBe(404);
  });
});
