import { defineModule } from '../../platform/modules/define-module.ts';
import { radioMigrations } from './migrations.ts';
import { registerRadioRoutes } from './routes.tsx';
import { registerContentRoutes } from './content-routes.tsx';
import { registerScheduleRoutes } from './schedule-routes.tsx';
import { registerBroadcastRoutes } from './broadcast-routes.tsx';
import { registerLiveRoutes } from './live-routes.tsx';
import { registerReportRoutes } from './report-routes.tsx';
import { countUptime } from './reports.ts';
import { registerUploads } from '../../platform/files/files.ts';
import { authenticateDevice, logRefusal } from './fleet.ts';
import { onDeviceMessage } from './devices.ts';
import { attachLink } from './link.ts';
import { checkAlerts } from './alerts.ts';
import { deviceMayPublish, deviceMaySubscribe, topics } from './protocol.ts';
import { seedRadio } from './seed.ts';

/** Smart IP radio (issue 4, DOMAIN.md §4) — so far: the fleet of speaker clusters, device credentials, live state over MQTT; content (sound, speech, relays) and its approval. */
export const radioModule = defineModule({
  id: 'radio',
  migrations: radioMigrations,
  permissions: {
    'radio.read': ['commune_leader', 'commune_official'],
    'radio.manage': ['commune_leader', 'commune_official'],
    // Only the leader lets content and schedules air (DOMAIN.md §4).
    'radio.approve': ['commune_leader'],
    // Reports: the commune's own, and the province's sum of its communes.
    'radio.report': ['commune_leader', 'commune_official', 'province_admin'],
  },
  nav: [
    { shell: 'admin', href: '/truyen-thanh', label: 'radio.nav', permission: 'radio.read', order: 19 },
    { shell: 'province', href: '/truyen-thanh/bao-cao', label: 'radio.report.title', permission: 'radio.report', order: 19 },
  ],
  unitColumns: [{ table: 'radio_cluster', column: 'unit_id', originColumn: 'origin_unit_id' }],
  routes: async (app, ctx) => {
    await registerUploads(app, ctx);
    registerRadioRoutes(app, ctx);
    registerContentRoutes(app, ctx);
    registerScheduleRoutes(app, ctx);
    registerBroadcastRoutes(app, ctx);
    registerLiveRoutes(app, ctx);
    registerReportRoutes(app, ctx);
  },
  seed: seedRadio,
  // Each minute: a minute of uptime for each online cluster, then the alerts.
  jobs: [{ name: 'radio.minute', everyMs: 60_000, run: async (ctx, now) => ({ online: await countUptime(ctx, now), alerts: await checkAlerts(ctx, now) }) }],
  devices: {
    authenticate: authenticateDevice,
    canSubscribe: deviceMaySubscribe,
    canPublish: deviceMayPublish,
    subscriptions: [topics.allStatus, topics.allAcks, topics.allLogs],
    onMessage: onDeviceMessage,
    onRefused: (ctx, e) => void logRefusal(ctx, e.identity ?? e.clientId, `refused_${e.kind}`, e.topic ?? '').catch(() => undefined),
    attach: attachLink,
  },
});
