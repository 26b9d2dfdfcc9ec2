import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { audioDurationMs } from '../../src/platform/files/audio.ts';
import { espeakProgram, espeakWasm, httpSpeech } from '../../src/platform/speech/tts.ts';
import { toneWav } from '../support/audio.ts';

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/audio/${name}`, import.meta.url));
const mp3 = fixture('tone-2s.mp3');
const ogg = fixture('tone-3s.ogg');
const idFrom = (location: unknown) => String(location).split('/').pop()!;

describe('Vietnamese speech', () => {
  it('speaks Vietnamese with each accent and speed, through the WebAssembly build and Debian’s program alike', async () => {
    const text = 'Ủy ban nhân dân xã Hướng Đạo thông báo lịch tiêm phòng cho gia súc.';
    for (const engine of [espeakWasm(), espeakProgram()]) {
      const slow = await engine.synthesize(text, { voice: 'vi', speed: 120 });
      const fast = await engine.synthesize(text, { voice: 'vi-vn-x-south', speed: 180 });
      expect(slow.subarray(0, 4).toString()).toBe('RIFF');
      const [a, b] = [await audioDurationMs(slow), await audioDurationMs(fast)];
      expect(a).toBeGreaterThan(2000);
      // Slower speech lasts longer.
      expect(a!).toBeGreaterThan(b! * 1.2);
    }
  });

  it('reads a text that looks like an option as text', async () => {
    const wav = await espeakWasm().synthesize('-v en --help', { voice: 'vi', speed: 150 });
    expect(await audioDurationMs(wav)).toBeGreaterThan(300);
  });

  it('asks an HTTP speech service with the text, voice, speed and key', async () => {
    const seen: unknown[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body: JSON.parse(body) as unknown });
        res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(mp3);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tts`;
    try {
      const audio = await httpSpeech(url, 'khoa-bi-mat').synthesize('Xin chào', { voice: 'vi-vn-x-central', speed: 150 });
      expect(audio.equals(mp3)).toBe(true);
      expect(seen).toEqual([{ auth: 'Bearer khoa-bi-mat', body: { text: 'Xin chào', voice: 'vi-vn-x-central', speed: 150 } }]);
    } finally {
      server.close();
    }
  });
});

describe.each(DIALECTS)('radio content on %s', (dialect) => {
  let t: TestApp;
  let official: Browser;
  let leader: Browser;
  const db = () => t.ctx.database.db;
  const count = async () => (await db().selectFrom('radio_content').select('id').execute()).length;

  beforeAll(async () => {
    t = await testApp(dialect, { env: { DATA_DIR: `/tmp/xaso-test-radio-${dialect}-${process.pid}` } });
    official = new Browser(t.app);
    await signIn(official, 'huongdao.vhtt');
    leader = new Browser(t.app);
    await signIn(leader, 'huongdao.chutich');
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(`/tmp/xaso-test-radio-${dialect}-${process.pid}`, { recursive: true, force: true });
  });

  it('takes an MP3 or OGG by its content and measures how long it plays', async () => {
    const csrf = await official.csrf('/truyen-thanh/noi-dung/moi/tai-len');
    // Named .mp3, but an OGG inside: its content decides.
    const res = await official.postMultipart('/truyen-thanh/noi-dung/moi/tai-len', { _csrf: csrf, title: 'Nhạc hiệu buổi sáng', priority: 'normal', source: 'upload' }, { audio: { name: 'nhac-hieu.mp3', type: 'audio/mpeg', data: ogg } });
    expect(res.statusCode).toBe(303);
    const c = await db().selectFrom('radio_content').selectAll().where('id', '=', idFrom(res.headers.location)).executeTakeFirstOrThrow();
    expect(c).toMatchObject({ kind: 'upload', mime: 'audio/ogg', status: 'pending', priority: 'normal' });
    expect(c.created_by_label).not.toBe('');
    expect(Math.abs(c.duration_ms - 3000)).toBeLessThan(150);
    const page = await official.get(`/truyen-thanh/noi-dung/${c.id}`);
    expect(page.body).toContain('Chờ lãnh đạo duyệt');
    expect(page.body).toContain('0:03');
    // The official cannot approve.
    expect(page.body).not.toContain('Duyệt phát');
    const sound = await official.get(`/truyen-thanh/noi-dung/${c.id}/am-thanh`);
    expect(sound.headers['content-type']).toBe('audio/ogg');
    expect(sound.rawPayload.equals(ogg)).toBe(true);

    const m = await official.postMultipart('/truyen-thanh/noi-dung/moi/tai-len', { _csrf: csrf, title: 'Thông báo thu thuế', priority: 'priority' }, { audio: { name: 'thong-bao.mp3', type: 'audio/mpeg', data: mp3 } });
    expect(m.statusCode).toBe(303);
    const row = await db().selectFrom('radio_content').select(['mime', 'duration_ms', 'priority']).where('id', '=', idFrom(m.headers.location)).executeTakeFirstOrThrow();
    expect(row.mime).toBe('audio/mpeg');
    expect(row.priority).toBe('priority');
    expect(Math.abs(row.duration_ms - 2000)).toBeLessThan(150);
  });

  it('stores a recording from the browser (PCM WAV) as MP3, and an uploaded WAV as it came', async () => {
    const csrf = await official.csrf('/truyen-thanh/noi-dung/moi/ghi-am');
    const wav = toneWav(2);
    const rec = await official.postMultipart('/truyen-thanh/noi-dung/moi/ghi-am', { _csrf: csrf, title: 'Ghi âm thông báo họp thôn', priority: 'normal', source: 'recording' }, { audio: { name: 'ghi-am-2026-11-29.wav', type: 'audio/wav', data: wav } });
    expect(rec.statusCode).toBe(303);
    const r = await db().selectFrom('radio_content').selectAll().where('id', '=', idFrom(rec.headers.location)).executeTakeFirstOrThrow();
    expect(r).toMatchObject({ kind: 'recording', mime: 'audio/mpeg' });
    expect(Math.abs(r.duration_ms - 2000)).toBeLessThan(150);
    const file = await db().selectFrom('platform_file').select(['name', 'mime', 'size']).where('id', '=', r.file_id!).executeTakeFirstOrThrow();
    expect(file).toMatchObject({ name: 'ghi-am-2026-11-29.mp3', mime: 'audio/mpeg' });
    expect(Number(file.size)).toBeLessThan(wav.length / 4);

    const up = await official.postMultipart('/truyen-thanh/noi-dung/moi/tai-len', { _csrf: csrf, title: 'Tệp WAV của đài', priority: 'normal', source: 'upload' }, { audio: { name: 'dai-tinh.wav', type: 'audio/wav', data: wav } });
    expect(up.statusCode).toBe(303);
    const u = await db().selectFrom('radio_content').select(['id', 'mime']).where('id', '=', idFrom(up.headers.location)).executeTakeFirstOrThrow();
    expect(u.mime).toBe('audio/wav');
    expect((await official.get(`/truyen-thanh/noi-dung/${u.id}/am-thanh`)).rawPayload.equals(wav)).toBe(true);
  });

  it('refuses what is not sound, names the fields, keeps what was typed and saves nothing', async () => {
    const csrf = await official.csrf('/truyen-thanh/noi-dung/moi/tai-len');
    const before = await count();
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF');
    const notAudio = await official.postMultipart('/truyen-thanh/noi-dung/moi/tai-len', { _csrf: csrf, title: 'Bản tin giả', priority: 'normal' }, { audio: { name: 'ban-tin.mp3', type: 'audio/mpeg', data: pdf } });
    expect(notAudio.statusCode).toBe(400);
    expect(notAudio.body).toContain('ban-tin.mp3');
    expect(notAudio.body).toContain('MP3, OGG, WAV');
    expect(notAudio.body).toContain('value="Bản tin giả"');
    // A WAV header with no sound in it.
    const empty = Buffer.alloc(44);
    empty.write('RIFF', 0);
    empty.writeUInt32LE(36, 4);
    empty.write('WAVEfmt ', 8);
    empty.writeUInt32LE(16, 16);
    empty.writeUInt16LE(1, 20);
    empty.writeUInt16LE(1, 22);
    empty.writeUInt32LE(16000, 24);
    empty.writeUInt32LE(32000, 28);
    empty.writeUInt16LE(2, 32);
    empty.writeUInt16LE(16, 34);
    empty.write('data', 36);
    const silent = await official.postMultipart('/truyen-thanh/noi-dung/moi/ghi-am', { _csrf: csrf, title: 'Ghi âm trống', priority: 'normal' }, { audio: { name: 'ghi-am.wav', type: 'audio/wav', data: empty } });
    expect(silent.statusCode).toBe(400);
    expect(silent.body).toContain('không đo được thời lượng');
    const fields = await official.postMultipart('/truyen-thanh/noi-dung/moi/tai-len', { _csrf: csrf, title: 'A', priority: 'rat-gap' });
    expect(fields.statusCode).toBe(400);
    for (const label of ['Tiêu đề', 'Mức ưu tiên']) expect(fields.body).toContain(label);
    const noFile = await official.postMultipart('/truyen-thanh/noi-dung/moi/tai-len', { _csrf: csrf, title: 'Không có tệp', priority: 'normal' });
    expect(noFile.body).toContain('Tệp âm thanh: hãy chọn một tệp.');
    const relay = await official.post('/truyen-thanh/noi-dung/moi/tiep-song', { _csrf: csrf, title: 'Tiếp sóng đài tỉnh', priority: 'normal', stream_url: 'ftp://dai-tinh/live', minutes: '0' });
    expect(relay.statusCode).toBe(400);
    expect(relay.body).toContain('Địa chỉ luồng phát: phải là địa chỉ http:// hoặc https://');
    expect(relay.body).toContain('Thời lượng tiếp sóng (phút)');
    const speech = await official.post('/truyen-thanh/noi-dung/moi/doc-van-ban', { _csrf: csrf, title: 'Giọng đọc', priority: 'normal', speech_text: '', voice: 'vi-hue', speed: '300' });
    expect(speech.statusCode).toBe(400);
    for (const label of ['Văn bản cần đọc', 'Giọng đọc', 'Tốc độ đọc']) expect(speech.body).toContain(label);
    expect(await count()).toBe(before);
  });

  it('makes Vietnamese speech from text and a relay of a higher station', async () => {
    const csrf = await official.csrf('/truyen-thanh/noi-dung/moi/doc-van-ban');
    const res = await official.post('/truyen-thanh/noi-dung/moi/doc-van-ban', {
      _csrf: csrf,
      title: 'Thông báo tiêm phòng',
      priority: 'normal',
      speech_text: 'Ủy ban nhân dân xã thông báo: từ ngày mười tháng mười hai, bà con đưa gia súc đến nhà văn hóa thôn để tiêm phòng.',
      voice: 'vi-vn-x-central',
      speed: '150',
    });
    expect(res.statusCode).toBe(303);
    const c = await db().selectFrom('radio_content').selectAll().where('id', '=', idFrom(res.headers.location)).executeTakeFirstOrThrow();
    // Spoken as WAV by the engine, stored as MP3 for the loudspeakers.
    expect(c).toMatchObject({ kind: 'speech', mime: 'audio/mpeg', voice: 'vi-vn-x-central', speed: 150 });
    expect(c.engine).toContain('espeak-ng');
    expect(c.duration_ms).toBeGreaterThan(4000);
    const stored = (await official.get(`/truyen-thanh/noi-dung/${c.id}/am-thanh`)).rawPayload;
    expect(stored.subarray(0, 4).toString('latin1')).not.toBe('RIFF');
    // 48 kbit/s: 6 kB a second of speech, where the WAV takes 44 kB.
    expect(stored.length).toBeLessThan((c.duration_ms / 1000) * 7000);
    const page = (await official.get(`/truyen-thanh/noi-dung/${c.id}`)).body;
    expect(page).toContain('Giọng miền Trung');
    expect(page).toContain('bà con đưa gia súc');

    const relay = await official.post('/truyen-thanh/noi-dung/moi/tiep-song', { _csrf: csrf, title: 'Chương trình thời sự đài tỉnh', priority: 'priority', stream_url: 'https://dai-tinh.example.vn/live.mp3', minutes: '30' });
    expect(relay.statusCode).toBe(303);
    const r = await db().selectFrom('radio_content').selectAll().where('id', '=', idFrom(relay.headers.location)).executeTakeFirstOrThrow();
    expect(r).toMatchObject({ kind: 'relay', file_id: null, stream_url: 'https://dai-tinh.example.vn/live.mp3', duration_ms: 30 * 60_000 });
  });

  it('airs nothing unapproved: the leader approves or rejects with a reason, once, audited; devices fetch approved sound only', async () => {
    const [a, b] = await db().selectFrom('radio_content').select(['id']).where('kind', '=', 'upload').orderBy('created_at').limit(2).execute();
    const device = new Browser(t.app);
    const token = (await import('../../src/modules/radio/content.ts')).mediaPath(t.ctx, a!.id);
    expect((await device.get(token)).statusCode).toBe(404);

    // An official may not decide.
    const csrfO = await official.csrf(`/truyen-thanh/noi-dung/${a!.id}`);
    expect((await official.post(`/truyen-thanh/noi-dung/${a!.id}/duyet`, { _csrf: csrfO })).statusCode).toBe(403);

    const csrf = await leader.csrf(`/truyen-thanh/noi-dung/${a!.id}`);
    expect((await leader.get(`/truyen-thanh/noi-dung/${a!.id}`)).body).toContain('Duyệt phát');
    expect((await leader.post(`/truyen-thanh/noi-dung/${a!.id}/duyet`, { _csrf: csrf })).statusCode).toBe(303);
    const again = await leader.post(`/truyen-thanh/noi-dung/${a!.id}/tu-choi`, { _csrf: csrf, note: 'Đổi ý sau khi duyệt' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('đã được quyết định');

    const noReason = await leader.post(`/truyen-thanh/noi-dung/${b!.id}/tu-choi`, { _csrf: csrf, note: '' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('Lý do từ chối: hãy ghi rõ lý do');
    expect((await db().selectFrom('radio_content').select('status').where('id', '=', b!.id).executeTakeFirstOrThrow()).status).toBe('pending');
    expect((await leader.post(`/truyen-thanh/noi-dung/${b!.id}/tu-choi`, { _csrf: csrf, note: 'Sai số liệu thuế, soạn lại' })).statusCode).toBe(303);
    expect((await official.get(`/truyen-thanh/noi-dung/${b!.id}`)).body).toContain('Sai số liệu thuế, soạn lại');

    const fetched = await device.get(token);
    expect(fetched.statusCode).toBe(200);
    expect(fetched.rawPayload.equals(ogg)).toBe(true);
    expect((await device.get(`${token.split('?')[0]}?k=sai`)).statusCode).toBe(404);
    const rejected = (await import('../../src/modules/radio/content.ts')).mediaPath(t.ctx, b!.id);
    expect((await device.get(rejected)).statusCode).toBe(404);

    const audit = await db().selectFrom('audit_event').select(['action', 'entity_id']).where('entity', '=', 'radio_content').execute();
    expect(audit).toEqual(expect.arrayContaining([{ action: 'radio.content.approve', entity_id: a!.id }, { action: 'radio.content.reject', entity_id: b!.id }]));
  });

  it('keeps one commune out of another’s content', async () => {
    const other = new Browser(t.app);
    await signIn(other, 'langcong.chutich');
    const id = (await db().selectFrom('radio_content').select('id').executeTakeFirstOrThrow()).id;
    expect((await other.get(`/truyen-thanh/noi-dung/${id}`)).statusCode).toBe(404);
    expect((await other.get('/truyen-thanh/noi-dung')).body).not.toContain('Nhạc hiệu buổi sáng');
  });
});
