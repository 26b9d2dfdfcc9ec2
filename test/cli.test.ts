import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import SQLite from 'better-sqlite3';

const run = promisify(execFile);
const BIN = path.resolve('bin/xaso.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xaso-cli-'));
const env = { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'silent', NODE_ENV: 'test', MQTT_PORT: '0' };

async function xaso(args: string[], extraEnv: Record<string, string> = {}) {
  try {
    const r = await run('node', [BIN, ...args], { env: { ...env, ...extraEnv } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the xaso command', () => {
  it('stops on a malformed environment variable with one line naming it', async () => {
    const r = await xaso(['migrate'], { PORT: 'eighty' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Configuration error: PORT: expected an integer from 0 to 65535, got "eighty"');
  });

  it('migrates, seeds idempotently and creates an administrator', async () => {
    expect((await xaso(['migrate'])).stdout).toContain('Migrations applied.');
    expect((await xaso(['seed', '--demo'])).stdout).toMatch(/Seeded \d+ units and 13 accounts\./);
    expect((await xaso(['seed', '--demo'])).stdout).toContain('Seeded 0 units and 0 accounts.');
    const created = await xaso(['create-admin', '--username', 'quantri2', '--name', 'Quản trị 2', '--unit', '25'], { XASO_PASSWORD: 'mat-khau-du-dai' });
    expect(created.stdout).toContain('Created quantri2 (system_admin at Tỉnh Phú Thọ)');
    const weak = await xaso(['create-admin', '--username', 'quantri3', '--name', 'Q', '--unit', '25'], { XASO_PASSWORD: 'short' });
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('The password must have at least 10 characters.');
  });

  it('merges units from the command line and refuses a bad merge with a clear line', async () => {
    // The files are the demo steering committee's decision and regulation and the portal's 13 pictures (articles and products) in two sizes.
    const ok = await xaso(['merge-units', '--from', '25204', '--into', '25203', '--date', '2026-12-01', '--basis', 'Nghị quyết thử nghiệm']);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('Merged Xã Tam Đảo into Xã Thổ Tang: 3 villages moved; re-homed 1 auth_account.unit_id, 1 auth_role_grant.unit_id, 28 platform_file.unit_id, 40 svc_dossier.unit_id, 40 svc_dossier.receiving_unit_id, 22 portal_article.unit_id, 13 portal_image.unit_id, 1 portal_producer.unit_id, 3 portal_product.unit_id.');
    const again = await xaso(['merge-units', '--from', '25204', '--into', '25203', '--date', '2026-12-02', '--basis', 'x']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Unit Xã Tam Đảo cannot be merged: another level, or already ended.');
    expect((await xaso(['merge-units', '--from', '99999', '--into', '25203', '--date', '2026-12-02', '--basis', 'x'])).stderr).toContain('no unit with code 99999');
  });

  it('verifies the audit chain and reports tampering', async () => {
    const ok = await xaso(['audit', 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Audit log intact: \d+ events checked\./);
    const db = new SQLite(path.join(dir, 'xaso.db'));
    db.exec('drop trigger audit_event_no_update');
    db.prepare("update audit_event set actor_label = 'kẻ gian' where seq = 2").run();
    db.close();
    const bad = await xaso(['audit', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('event 2: content changed');
    expect(bad.stdout).toContain('Audit log TAMPERED');
  });

  it('serves, then shuts down gracefully on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const port = 3700 + Math.floor(Math.random() * 50);
    const child = spawn('node', [BIN, 'serve'], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 100 && !out.includes('is running at'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain(`Xã Số is running at http://127.0.0.1:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    // Virtual speaker clusters sign in to the server's broker with credentials of their own and report.
    const mqttPort = /connect over MQTT to mqtt:\/\/[\d.]+:(\d+)/.exec(out)![1]!;
    const sim = await xaso(['radio', 'simulate', '--devices', '3', '--for', '1.5'], { MQTT_PORT: mqttPort });
    expect(sim.stdout).toContain('3 virtual speaker clusters of Xã Hướng Đạo connected');
    const db = new SQLite(path.join(dir, 'xaso.db'), { readonly: true });
    const seen = db.prepare("select device_id, last_seen_at from radio_cluster where device_id like 'sim-25201-%' order by device_id").all() as { device_id: string; last_seen_at: string | null }[];
    db.close();
    expect(seen.map((r) => r.device_id)).toEqual(['sim-25201-0001', 'sim-25201-0002', 'sim-25201-0003']);
    expect(seen.every((r) => r.last_seen_at)).toBe(true);
    expect((await xaso(['radio', 'simulate', '--devices', 'nhiều'])).stderr).toContain('radio simulate needs --devices N');
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('backs up online and restores the backup', async () => {
    const backup = path.join(dir, 'backup.db');
    expect((await xaso(['backup', backup])).code).toBe(0);
    const db = new SQLite(path.join(dir, 'xaso.db'));
    db.prepare("delete from auth_session").run();
    db.prepare("update unit set name = 'Đã sửa' where id = 'u-25201'").run();
    db.close();
    const restored = await xaso(['restore', backup]);
    expect(restored.code, restored.stderr).toBe(0);
    const after = new SQLite(path.join(dir, 'xaso.db'), { readonly: true });
    expect((after.prepare("select name from unit where id = 'u-25201'").get() as { name: string }).name).toBe('Xã Hướng Đạo');
    after.close();
    fs.writeFileSync(path.join(dir, 'junk.db'), 'not a database');
    const junk = await xaso(['restore', path.join(dir, 'junk.db')]);
    expect(junk.code).toBe(1);
  });
});
