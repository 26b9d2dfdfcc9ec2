import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeviceHub, type DeviceHub } from '../src/platform/mqtt/hub.ts';
import { systemContext } from '../src/platform/audit/audit.ts';
import { VirtualCluster, issueVirtualSecrets } from '../src/modules/radio/index.ts';
import { CHROMIUM_ARGS, startHarness, expectUsable, signInOfficial, type Harness } from './harness.ts';

let h: Harness;
let hub: DeviceHub;
// A browser whose microphone is Chromium's own test tone, allowed without asking.
let micBrowser: Browser;
const devices: VirtualCluster[] = [];

beforeAll(async () => {
  h = await startHarness();
  hub = (await startDeviceHub({ ...h.ctx, config: { ...h.ctx.config, mqtt: { port: 0, url: null } } }, { error: () => undefined, warn: () => undefined }, { host: '127.0.0.1' }))!;
  micBrowser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
});
afterAll(async () => {
  await Promise.all(devices.map((d) => d.stop()));
  await micBrowser?.close();
  await hub?.close();
  await h?.close();
});

describe('the smart IP radio in Chromium', () => {
  it('an official records a bulletin with the microphone; the leader listens and approves it', async () => {
    const context = await micBrowser.newContext({ baseURL: h.baseUrl, locale: 'vi-VN', viewport: { width: 360, height: 740 } });
    await context.grantPermissions(['microphone'], { origin: h.baseUrl });
    const errors: string[] = [];
    context.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const page = await context.newPage();
    await signInOfficial(page, 'huongdao.vhtt');
    await page.goto('/truyen-thanh/noi-dung');
    await expectUsable(page);
    await page.getByRole('link', { name: 'Ghi âm' }).click();
    await expectUsable(page);
    await page.getByLabel('Tiêu đề').fill('Thông báo lịch thu gom rác');
    await page.getByLabel('Mức ưu tiên').selectOption({ label: 'Thường' });
    await page.getByRole('button', { name: 'Bắt đầu ghi âm' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Đang ghi…');
    await page.waitForTimeout(2000);
    await page.getByRole('button', { name: 'Dừng ghi' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/KB$/);
    await page.getByRole('button', { name: 'Lưu và gửi duyệt' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Thông báo lịch thu gom rác');
    await expect.poll(() => page.getByTestId('content-status').textContent()).toContain('Chờ lãnh đạo duyệt');
    await expectUsable(page);
    const row = await h.ctx.database.db.selectFrom('radio_content').select(['id', 'kind', 'mime', 'duration_ms']).where('title', '=', 'Thông báo lịch thu gom rác').executeTakeFirstOrThrow();
    // Recorded as 16-bit PCM in the page, stored as MP3.
    expect(row).toMatchObject({ kind: 'recording', mime: 'audio/mpeg' });
    expect(row.duration_ms).toBeGreaterThan(1000);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();

    const leaderContext = await h.browser.newContext({ baseURL: h.baseUrl, locale: 'vi-VN' });
    const leader = await leaderContext.newPage();
    await signInOfficial(leader, 'huongdao.chutich');
    await leader.goto(`/truyen-thanh/noi-dung/${row.id}`);
    await expectUsable(leader);
    // The recording plays in the page before the decision.
    const playable = await leader.locator('audio').evaluate(async (audio: HTMLAudioElement) => {
      audio.preload = 'auto';
      audio.load();
      await new Promise((r) => audio.addEventListener('loadedmetadata', r, { once: true }));
      return audio.duration;
    });
    expect(playable).toBeGreaterThan(1);
    await leader.getByRole('button', { name: 'Duyệt phát' }).click();
    await expect.poll(() => leader.getByTestId('content-status').textContent()).toContain('Đã duyệt, được phát');
    await leaderContext.close();
  });

  it('the live dashboard follows a cluster coming online without reloading', async () => {
    const context = await h.browser.newContext({ baseURL: h.baseUrl, locale: 'vi-VN' });
    const errors: string[] = [];
    context.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const page = await context.newPage();
    await signInOfficial(page, 'huongdao.vhtt');
    await page.goto('/truyen-thanh/truc-tiep');
    await expectUsable(page);
    await expect.poll(() => page.locator('[data-live-status]').textContent()).toBe('Đang cập nhật trực tiếp.');
    const cluster = await h.ctx.database.db.selectFrom('radio_cluster').select(['id', 'device_id']).where('unit_id', '=', 'u-25201').orderBy('device_id').executeTakeFirstOrThrow();
    const cell = page.locator(`tr[data-cluster="${cluster.id}"] [data-field="online"]`);
    expect(await cell.textContent()).toBe('Mất kết nối');
    const [cred] = await issueVirtualSecrets(h.ctx, 'u-25201', [cluster.device_id], systemContext('e2e'));
    devices.push(await new VirtualCluster({ url: hub.url, ...cred!, heartbeatS: 3600, power: 'dc' }).start());
    await expect.poll(() => cell.textContent(), { timeout: 10_000 }).toBe('Trực tuyến');
    expect(await page.locator(`tr[data-cluster="${cluster.id}"] [data-field="power_now"]`).textContent()).toBe('Ắc quy dự phòng (DC)');
    expect(await page.locator(`[data-dot="${cluster.id}"]`).getAttribute('class')).toContain('online');
    await expectUsable(page);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  });
});
