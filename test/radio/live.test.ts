import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.ts';
import { Browser, testApp, withoutRadioSchedules, type TestApp } from '../support/app.ts';
import { signIn } from '../support/auth.ts';
import { startDeviceHub, type DeviceHub } from '../../src/platform/mqtt/hub.ts';
import { systemContext } from '../../src/platform/audit/audit.ts';
import { VirtualCluster, issueVirtualSecrets } from '../../src/modules/radio/index.ts';

const silent = { error: () => undefined, warn: () => undefined };

describe.each(DIALECTS)('the live radio dashboard on %s', (dialect) => {
  let t: TestApp;
  let hub: DeviceHub;
  let official: Browser;
  let base = '';
  let device: VirtualCluster | undefined;

  beforeAll(async () => {
    t = await testApp(dialect);
    await withoutRadioSchedules(t);
    official = new Browser(t.app);
    await signIn(official, 'huongdao.vhtt');
    hub = (await startDeviceHub({ ...t.ctx, config: { ...t.ctx.config, mqtt: { port: 0, url: null } } }, silent, { host: '127.0.0.1' }))!;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await device?.stop();
    await hub?.close();
    await t.close();
  });

  it('draws the clusters on a map from their own coordinates, no tiles', async () => {
    const page = await official.get('/truyen-thanh/truc-tiep');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<svg viewBox="0 0 600 400"');
    expect((page.body.match(/<circle class="dot offline"/g) ?? []).length).toBe(4);
    expect(page.body).toContain('<polygon class="area"');
    expect(page.body).not.toMatch(/tile|openstreetmap|googleapis/i);
  });

  it('streams a snapshot, then each cluster’s new state as its heartbeat arrives', async () => {
    const res = await fetch(`${base}/truyen-thanh/truc-tiep/su-kien`, { headers: { cookie: [...official.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await until(/event: snapshot\ndata: .*\n\n/);
    const snapshot = JSON.parse(/event: snapshot\ndata: (.*)\n/.exec(text)![1]!) as { id: string; online: boolean }[];
    expect(snapshot).toHaveLength(4);
    expect(snapshot.every((c) => !c.online)).toBe(true);
    const row = await t.ctx.database.db.selectFrom('radio_cluster').select(['id', 'device_id']).where('unit_id', '=', 'u-25201').orderBy('device_id').executeTakeFirstOrThrow();
    const [cred] = await issueVirtualSecrets(t.ctx, 'u-25201', [row.device_id], systemContext('test'));
    device = await new VirtualCluster({ url: hub.url, ...cred!, heartbeatS: 3600, power: 'dc' }).start();
    await until(/event: cluster\ndata: .*\n\n/);
    const update = JSON.parse(/event: cluster\ndata: (.*)\n/.exec(text)![1]!) as Record<string, unknown>;
    expect(update).toMatchObject({ id: row.id, online: true, playing: null, volume: 70, power_now: 'dc' });
    await reader.cancel();
  });

  it('is for the commune’s own officials', async () => {
    const anonymous = await fetch(`${base}/truyen-thanh/truc-tiep/su-kien`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    const other = new Browser(t.app);
    await signIn(other, 'huongdao.dongbua');
    expect((await other.get('/truyen-thanh/truc-tiep/su-kien')).statusCode).toBe(404);
  });
});
