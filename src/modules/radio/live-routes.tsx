import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { pageContext, sendPage, signedIn } from '../../platform/http/kernel.ts';
import { formatDateTime } from '../../platform/i18n/index.ts';
import type { Translate } from '../../platform/i18n/index.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { isOnline, stationFor } from './fleet.ts';
import { memoryOf, type LiveState } from './link.ts';
import { RADIO } from './paths.ts';
import { boundaryOf, ringsOf, type Boundary, type Position } from '../../platform/units/boundary.ts';

const LIVE = `${RADIO}/truc-tiep`;
/** A full picture is sent this often, so clusters that fell silent turn offline on screen too. */
const SNAPSHOT_MS = 20_000;

interface Point {
  id: string;
  name: string;
  village: string;
  latitude: number | null;
  longitude: number | null;
}

/** Monotone-chain convex hull of 2-D points (the area the clusters cover). */
function hull(points: [number, number][]): [number, number][] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return p;
  const cross = (o: [number, number], a: [number, number], b: [number, number]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: [number, number][] = [];
  for (const q of [...p].reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0) upper.pop();
    upper.push(q);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/**
 * The map without any tiles: the commune's boundary when one was imported (`platform/units/boundary.ts`),
 * else the area the clusters cover, and the clusters' own coordinates, projected onto an SVG (north up,
 * distances true to scale), each village named where its clusters are. Each dot carries its cluster's
 * id; the dashboard's script colours it by state.
 */
export function ClusterMap({ t, points, states, boundary }: { t: Translate; points: readonly Point[]; states: ReadonlyMap<string, boolean>; boundary?: Boundary | undefined }) {
  const placed = points.filter((p) => p.latitude !== null && p.longitude !== null);
  const rings = boundary ? ringsOf(boundary) : [];
  if (!placed.length && !rings.length) return <p class="hint">{t('radio.live.no_coordinates')}</p>;
  const W = 600;
  const H = 400;
  const pad = 40;
  // Everything drawn, in [longitude, latitude]: the frame fits them all.
  const lngLat: Position[] = [...placed.map((p): Position => [p.longitude!, p.latitude!]), ...rings.flat()];
  const lat0 = lngLat.reduce((s, p) => s + p[1], 0) / lngLat.length;
  const k = Math.cos((lat0 * Math.PI) / 180);
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [lng, lat] of lngLat) {
    [minX, maxX, minY, maxY] = [Math.min(minX, lng * k), Math.max(maxX, lng * k), Math.min(minY, lat), Math.max(maxY, lat)];
  }
  const span = Math.max(maxX - minX, maxY - minY, 0.002);
  const scale = Math.min(W - 2 * pad, H - 2 * pad) / span;
  // Centred in the frame.
  const [dx, dy] = [(W - 2 * pad - (maxX - minX) * scale) / 2, (H - 2 * pad - (maxY - minY) * scale) / 2];
  const project = ([lng, lat]: Position): [number, number] => [pad + dx + (lng * k - minX) * scale, H - pad - dy - (lat - minY) * scale];
  const at = (p: Point) => project([p.longitude!, p.latitude!]);
  const outline = rings.length ? [] : hull(placed.map(at));
  const path = rings.map((r) => `M${r.map((q) => project(q).map((v) => v.toFixed(1)).join(',')).join('L')}Z`).join('');
  const villages = new Map<string, [number, number][]>();
  for (const p of placed) villages.set(p.village, [...(villages.get(p.village) ?? []), at(p)]);
  return (
    <figure class="radio-map">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('radio.live.map')}>
        {path ? <path class="boundary" d={path} fill-rule="evenodd" /> : null}
        {outline.length >= 3 ? <polygon class="area" points={outline.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')} /> : null}
        {[...villages].map(([name, ps]) => {
          const x = ps.reduce((s, q) => s + q[0], 0) / ps.length;
          const y = ps.reduce((s, q) => s + q[1], 0) / ps.length;
          return (
            <text class="village" x={x.toFixed(1)} y={(y - 14).toFixed(1)} text-anchor="middle">
              {name}
            </text>
          );
        })}
        {placed.map((p) => {
          const [x, y] = at(p);
          return (
            <circle class={states.get(p.id) ? 'dot online' : 'dot offline'} data-dot={p.id} cx={x.toFixed(1)} cy={y.toFixed(1)} r="8">
              <title>{p.name}</title>
            </circle>
          );
        })}
      </svg>
      <figcaption>
        {t('radio.live.map_caption')}
        {` ${t(rings.length ? 'radio.live.boundary_caption' : 'radio.live.no_boundary')}`}
      </figcaption>
    </figure>
  );
}

/** The live dashboard: every cluster's state as it changes, over Server-Sent Events, with the offline map. */
export function registerLiveRoutes(app: FastifyInstance, ctx: AppContext) {
  const { db } = ctx.database;
  const clustersOf = (unitId: string) =>
    db.selectFrom('radio_cluster as c').innerJoin('unit as v', 'v.id', 'c.village_id').leftJoin('radio_content as p', 'p.id', 'c.playing').select(['c.id', 'c.unit_id', 'c.name', 'c.latitude', 'c.longitude', 'c.online', 'c.last_seen_at', 'c.playing', 'c.playing_priority', 'c.volume', 'c.power_now', 'c.signal', 'v.name as village', 'p.title as playing_title']).where('c.unit_id', '=', unitId).orderBy('v.code').orderBy('c.name').execute();

  app.get(LIVE, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const station = await stationFor(ctx, request.access, 'radio.read');
    const [clusters, boundary] = await Promise.all([clustersOf(station.id), boundaryOf(ctx, station.id)]);
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const states = new Map(clusters.map((c) => [c.id, isOnline(c)]));
    // The table's columns: its headers, and each cell's name when a row is a card on a phone.
    const columns = {
      name: t('radio.name'),
      village: t('radio.village'),
      state: t('radio.state'),
      last_seen: t('radio.last_seen'),
      playing: t('radio.playing'),
      volume: t('radio.volume'),
      power_now: t('radio.power_now'),
    };
    return sendPage(
      reply,
      <Layout ctx={page} title={t('radio.live.title')} shell="admin" scripts={['/assets/radio.js']}>
        <p>
          <a href={RADIO}>← {t('radio.station_of', { unit: station.name })}</a>
        </p>
        <h1>{t('radio.live.title')}</h1>
        <p role="status" data-live-status data-label-live={t('radio.live.connected')} data-label-lost={t('radio.live.lost')}>
          {t('radio.live.static')}
        </p>
        <ClusterMap t={t} points={clusters} states={states} boundary={boundary} />
        <table tabindex={0} class="table-cards" data-live={`${LIVE}/su-kien`} data-label-online={t('radio.online')} data-label-offline={t('radio.offline')} data-label-dc={t('radio.power.dc')} data-label-mains={t('radio.power.mains')} data-label-emergency={t('radio.priority.emergency')}>
          <thead>
            <tr>
              {Object.values(columns).map((label) => (
                <th scope="col">{label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {clusters.map((c) => (
              <tr data-cluster={c.id}>
                <td data-label={columns.name}>
                  <a href={`${RADIO}/cum-loa/${c.id}`}>{c.name}</a>
                </td>
                <td data-label={columns.village}>{c.village}</td>
                <td data-label={columns.state} data-field="online">{isOnline(c) ? t('radio.online') : t('radio.offline')}</td>
                <td data-label={columns.last_seen} data-field="last_seen_at">{c.last_seen_at ? formatDateTime(c.last_seen_at) : t('radio.never')}</td>
                <td data-label={columns.playing} data-field="playing">{c.playing ? `${c.playing_title ?? c.playing}${c.playing_priority === 'emergency' ? ` (${t('radio.priority.emergency')})` : ''}` : '—'}</td>
                <td data-label={columns.volume} data-field="volume">{c.volume === null ? '—' : `${c.volume}%`}</td>
                <td data-label={columns.power_now} data-field="power_now">{c.power_now ? t(`radio.power.${c.power_now as 'mains'}`) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    );
  });

  // The stream: a snapshot at once and every 20 s, and each cluster's new state as its heartbeat arrives.
  app.get(`${LIVE}/su-kien`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const station = await stationFor(ctx, request.access, 'radio.read');
    const titles = new Map<string, string>();
    const title = async (id: string | null) => {
      if (!id) return null;
      if (!titles.has(id)) titles.set(id, (await db.selectFrom('radio_content').select('title').where('id', '=', id).executeTakeFirst())?.title ?? id);
      return titles.get(id)!;
    };
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const view = async (c: Omit<LiveState, 'online'> & { online: boolean | number }) => ({
      id: c.id,
      online: typeof c.online === 'boolean' ? c.online : isOnline({ online: c.online, last_seen_at: c.last_seen_at }),
      last_seen_at: c.last_seen_at ? formatDateTime(c.last_seen_at) : null,
      playing: await title(c.playing),
      emergency: c.playing_priority === 'emergency',
      volume: c.volume,
      power_now: c.power_now,
    });
    const snapshot = async () => send('snapshot', await Promise.all((await clustersOf(station.id)).map(view)));
    const listener = (s: LiveState) => {
      if (s.unit_id === station.id) void view(s).then((v) => send('cluster', v));
    };
    const { listeners } = memoryOf(ctx);
    listeners.add(listener);
    const timer = setInterval(() => void snapshot().catch(() => undefined), SNAPSHOT_MS);
    request.raw.on('close', () => {
      clearInterval(timer);
      listeners.delete(listener);
    });
    raw.write('retry: 5000\n\n');
    await snapshot();
  });
}
