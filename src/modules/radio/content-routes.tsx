import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import { AppError, notFound, type FieldError } from '../../platform/errors.ts';
import { isUpload, readStoredFile } from '../../platform/files/files.ts';
import { pageContext, parseInput, sendPage, setFlash, signedIn, formStrings } from '../../platform/http/kernel.ts';
import { formatDateTime } from '../../platform/i18n/index.ts';
import type { PageContext } from '../../platform/ui/context.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { Button, ErrorSummary, FileInput, Form, SelectInput, Table, TextArea, TextInput } from '../../platform/ui/components.tsx';
import { SPEEDS, VOICES } from '../../platform/speech/tts.ts';
import { PRIORITIES, addRelay, addSound, addSpeech, contentFor, decideContent, mediaTokenValid, relayInput, soundInput, speechInput, speechFor } from './content.ts';
import { stationFor } from './fleet.ts';
import { RADIO } from './paths.ts';

const CONTENT = `${RADIO}/noi-dung`;
/** The four ways to make content, as their addresses say them. */
const FORMS = { 'tai-len': 'upload', 'ghi-am': 'recording', 'doc-van-ban': 'speech', 'tiep-song': 'relay' } as const;
type FormSlug = keyof typeof FORMS;
const isFormSlug = (s: string): s is FormSlug => Object.hasOwn(FORMS, s);
const LABELS = {
  title: 'radio.content.title',
  priority: 'radio.content.priority',
  speech_text: 'radio.content.speech_text',
  voice: 'radio.content.voice',
  speed: 'radio.content.speed',
  stream_url: 'radio.content.stream_url',
  minutes: 'radio.content.minutes',
  audio: 'radio.content.audio',
  note: 'radio.content.note',
} as const;
const STATUSES = ['pending', 'approved', 'rejected'] as const;

/** "3:07" or "1:02:05": how long an item plays. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

const PriorityField = ({ page, errors, value }: { page: PageContext; errors: FieldError[]; value: string | undefined }) => (
  <SelectInput ctx={page} name="priority" label={page.t('radio.content.priority')} hint={page.t('radio.content.priority_hint')} errors={errors} value={value ?? 'normal'} options={PRIORITIES.map((p) => ({ value: p, label: page.t(`radio.priority_name.${p}`) }))} required />
);

/** Content to air: made four ways, approved or rejected by the commune's leader, fetched by devices. */
export function registerContentRoutes(app: FastifyInstance, ctx: AppContext) {
  const { db } = ctx.database;

  app.get(CONTENT, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const station = await stationFor(ctx, request.access, 'radio.read');
    const q = request.query as Record<string, string | undefined>;
    const status = STATUSES.find((s) => s === q.status);
    let query = db.selectFrom('radio_content').select(['id', 'title', 'kind', 'priority', 'duration_ms', 'status', 'created_by_label', 'created_at']).where('unit_id', '=', station.id);
    if (status) query = query.where('status', '=', status);
    const rows = await query.orderBy('created_at', 'desc').limit(200).execute();
    const canManage = await request.access.can('radio.manage', { unitId: station.id });
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={t('radio.content.list')} shell="admin">
        <p>
          <a href={RADIO}>← {t('radio.station_of', { unit: station.name })}</a>
        </p>
        <h1>{t('radio.content.list')}</h1>
        {canManage ? (
          <p class="button-row">
            {(Object.keys(FORMS) as FormSlug[]).map((slug) => (
              <a class="button button-secondary" href={`${CONTENT}/moi/${slug}`}>
                {t(`radio.content.new.${FORMS[slug]}`)}
              </a>
            ))}
          </p>
        ) : null}
        <nav aria-label={t('radio.content.filter')} class="button-row">
          <a href={CONTENT} aria-current={status ? undefined : 'page'}>
            {t('radio.content.all')}
          </a>
          {STATUSES.map((s) => (
            <a href={`${CONTENT}?status=${s}`} aria-current={status === s ? 'page' : undefined}>
              {t(`radio.content.status.${s}`)}
            </a>
          ))}
        </nav>
        {rows.length ? (
          <Table
            rows={rows}
            columns={[
              { label: t('radio.content.title'), cell: (r) => <a href={`${CONTENT}/${r.id}`}>{r.title}</a> },
              { label: t('radio.content.kind'), cell: (r) => t(`radio.content.kind.${r.kind as 'upload'}`) },
              { label: t('radio.content.priority'), cell: (r) => t(`radio.priority_name.${r.priority as 'normal'}`) },
              { label: t('radio.content.duration'), cell: (r) => formatDuration(r.duration_ms) },
              { label: t('radio.content.state'), cell: (r) => t(`radio.content.status.${r.status as 'pending'}`) },
              { label: t('radio.content.made_by'), cell: (r) => `${r.created_by_label}, ${formatDateTime(r.created_at)}` },
            ]}
          />
        ) : (
          <p>{t('radio.content.none')}</p>
        )}
      </Layout>,
    );
  });

  const renderNew = async (request: FastifyRequest, reply: FastifyReply, slug: FormSlug, errors: FieldError[] = [], values: Record<string, string> = {}, status = 200) => {
    const station = await stationFor(ctx, request.access, 'radio.manage');
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    const kind = FORMS[slug];
    const title = t(`radio.content.new.${kind}`);
    const common = (
      <>
        <TextInput ctx={page} name="title" label={t('radio.content.title')} errors={errors} value={values.title} required />
        <PriorityField page={page} errors={errors} value={values.priority} />
      </>
    );
    return sendPage(
      reply,
      <Layout ctx={page} title={title} shell="admin" scripts={kind === 'recording' ? ['/assets/radio.js'] : []}>
        <p>
          <a href={CONTENT}>← {t('radio.content.list')}</a>
        </p>
        <h1>{title}</h1>
        <p>{t('radio.content.approval_needed', { unit: station.name })}</p>
        <ErrorSummary ctx={page} errors={errors} />
        {kind === 'upload' ? (
          <Form ctx={page} action={`${CONTENT}/moi/${slug}`} label={title} files>
            {common}
            <input type="hidden" name="source" value="upload" />
            <FileInput ctx={page} name="audio" label={t('radio.content.audio')} hint={t('radio.content.audio_hint')} errors={errors} accept="audio/mpeg,audio/ogg,audio/wav,.mp3,.ogg,.wav" required />
            <Button>{t('radio.content.save')}</Button>
          </Form>
        ) : kind === 'recording' ? (
          <Form ctx={page} action={`${CONTENT}/moi/${slug}`} label={title} files>
            {common}
            <input type="hidden" name="source" value="recording" />
            <div class="recorder" data-recorder data-label-start={t('radio.record.start')} data-label-stop={t('radio.record.stop')} data-label-denied={t('radio.record.denied')} data-label-recording={t('radio.record.recording')}>
              <p class="hint">{t('radio.record.hint')}</p>
            </div>
            <FileInput ctx={page} name="audio" label={t('radio.record.file')} hint={t('radio.record.file_hint')} errors={errors} accept="audio/wav,audio/ogg,audio/mpeg" required />
            <Button>{t('radio.content.save')}</Button>
          </Form>
        ) : kind === 'speech' ? (
          <Form ctx={page} action={`${CONTENT}/moi/${slug}`} label={title}>
            {common}
            <TextArea ctx={page} name="speech_text" label={t('radio.content.speech_text')} hint={t('radio.content.speech_hint')} errors={errors} value={values.speech_text} rows={10} required />
            <SelectInput ctx={page} name="voice" label={t('radio.content.voice')} errors={errors} value={values.voice ?? 'vi'} options={VOICES.map((v) => ({ value: v, label: t(`radio.voice.${v}`) }))} required />
            <SelectInput ctx={page} name="speed" label={t('radio.content.speed')} errors={errors} value={values.speed ?? '150'} options={SPEEDS.map((s) => ({ value: String(s), label: t(`radio.speed.${s}`) }))} required />
            <p class="hint">{t('radio.content.engine', { engine: speechFor(ctx).name })}</p>
            <Button>{t('radio.content.speak')}</Button>
          </Form>
        ) : (
          <Form ctx={page} action={`${CONTENT}/moi/${slug}`} label={title}>
            {common}
            <TextInput ctx={page} name="stream_url" type="url" label={t('radio.content.stream_url')} hint={t('radio.content.stream_hint')} errors={errors} value={values.stream_url} required />
            <TextInput ctx={page} name="minutes" type="number" inputmode="numeric" label={t('radio.content.minutes')} errors={errors} value={values.minutes ?? '30'} required />
            <Button>{t('radio.content.save')}</Button>
          </Form>
        )}
      </Layout>,
      status,
    );
  };

  app.get(`${CONTENT}/moi/:slug`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { slug } = request.params as { slug: string };
    if (!isFormSlug(slug)) throw notFound();
    return renderNew(request, reply, slug);
  });

  app.post(`${CONTENT}/moi/:slug`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { slug } = request.params as { slug: string };
    if (!isFormSlug(slug)) throw notFound();
    const kind = FORMS[slug];
    const body = formStrings(request.body ?? {});
    const schema = kind === 'speech' ? speechInput : kind === 'relay' ? relayInput : soundInput;
    const parsed = parseInput(request, schema, { labels: LABELS });
    if (!parsed.ok) return renderNew(request, reply, slug, parsed.errors, body, 400);
    let id: string;
    try {
      if (kind === 'speech') id = await addSpeech(ctx, request.access, request.auditContext, parsed.data as z.output<typeof speechInput>);
      else if (kind === 'relay') id = await addRelay(ctx, request.access, request.auditContext, parsed.data as z.output<typeof relayInput>);
      else {
        const file = (request.body as Record<string, unknown>).audio;
        id = await addSound(ctx, request.access, request.auditContext, { ...(parsed.data as z.output<typeof soundInput>), source: kind }, isUpload(file) ? file : undefined);
      }
    } catch (err) {
      if (err instanceof AppError && err.fields.length) return renderNew(request, reply, slug, err.fields, body, err.status);
      if (err instanceof AppError && err.code === 'speech_failed') return renderNew(request, reply, slug, [{ field: '', key: err.messageKey }], body, err.status);
      throw err;
    }
    setFlash(reply, 'radio.flash.content_added');
    return reply.redirect(`${CONTENT}/${id}`, 303);
  });

  const renderContent = async (request: FastifyRequest, reply: FastifyReply, id: string, errors: FieldError[] = [], values: Record<string, string> = {}, status = 200) => {
    const c = await contentFor(ctx, request.access, id, 'radio.read');
    const canDecide = c.status === 'pending' && (await request.access.can('radio.approve', { unitId: c.unit_id }));
    const canSend = (c.status === 'approved' || (c.status === 'pending' && c.priority === 'emergency')) && (await request.access.can('radio.manage', { unitId: c.unit_id }));
    const page = pageContext(ctx, request, reply);
    const { t } = page;
    return sendPage(
      reply,
      <Layout ctx={page} title={c.title} shell="admin">
        <p>
          <a href={CONTENT}>← {t('radio.content.list')}</a>
        </p>
        <h1>{c.title}</h1>
        <ErrorSummary ctx={page} errors={errors} />
        <p class={c.status === 'rejected' ? 'notice notice-error' : 'notice'} data-testid="content-status">
          {t(`radio.content.status.${c.status as 'pending'}`)}
          {c.decided_at ? ` — ${c.decided_by_label ?? ''}, ${formatDateTime(c.decided_at)}` : ''}
          {c.decision_note ? `: ${c.decision_note}` : ''}
        </p>
        {canSend ? (
          <p class="button-row">
            <a class={c.priority === 'emergency' ? 'button button-danger' : 'button'} href={`${CONTENT}/${c.id}/phat-ngay`}>
              {c.priority === 'emergency' ? t('radio.broadcast.send_emergency') : t('radio.broadcast.send')}
            </a>
          </p>
        ) : null}
        {c.file_id ? (
          <audio controls preload="none" src={`${CONTENT}/${c.id}/am-thanh`}>
            <a href={`${CONTENT}/${c.id}/am-thanh`}>{t('radio.content.download')}</a>
          </audio>
        ) : null}
        <dl class="facts">
          <dt>{t('radio.content.kind')}</dt>
          <dd>{t(`radio.content.kind.${c.kind as 'upload'}`)}</dd>
          <dt>{t('radio.content.priority')}</dt>
          <dd>{t(`radio.priority_name.${c.priority as 'normal'}`)}</dd>
          <dt>{t('radio.content.duration')}</dt>
          <dd>{formatDuration(c.duration_ms)}</dd>
          {c.stream_url ? (
            <>
              <dt>{t('radio.content.stream_url')}</dt>
              <dd>
                <code>{c.stream_url}</code>
              </dd>
            </>
          ) : null}
          {c.voice ? (
            <>
              <dt>{t('radio.content.voice')}</dt>
              <dd>{`${t(`radio.voice.${c.voice as 'vi'}`)}, ${t(`radio.speed.${c.speed as 150}`)} (${c.engine ?? ''})`}</dd>
            </>
          ) : null}
          <dt>{t('radio.content.made_by')}</dt>
          <dd>{`${c.created_by_label}, ${formatDateTime(c.created_at)}`}</dd>
        </dl>
        {c.speech_text ? (
          <section aria-labelledby="speech-text">
            <h2 id="speech-text">{t('radio.content.speech_text')}</h2>
            <p class="prewrap">{c.speech_text}</p>
          </section>
        ) : null}
        {canDecide ? (
          <section aria-labelledby="decide">
            <h2 id="decide">{t('radio.content.decide')}</h2>
            <p class="hint">{t('radio.content.decide_hint')}</p>
            <Form ctx={page} action={`${CONTENT}/${c.id}/duyet`} label={t('radio.content.approve')}>
              <Button>{t('radio.content.approve')}</Button>
            </Form>
            <Form ctx={page} action={`${CONTENT}/${c.id}/tu-choi`} label={t('radio.content.reject')}>
              <TextArea ctx={page} name="note" label={t('radio.content.note')} hint={t('radio.content.note_hint')} errors={errors} value={values.note} rows={3} required />
              <Button kind="danger">{t('radio.content.reject')}</Button>
            </Form>
          </section>
        ) : null}
      </Layout>,
      status,
    );
  };

  app.get(`${CONTENT}/:id`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    return renderContent(request, reply, (request.params as { id: string }).id);
  });

  const sendSound = async (reply: FastifyReply, fileId: string) => {
    const file = await readStoredFile(ctx, fileId);
    if (!file) throw notFound();
    return reply.type(file.row.mime).header('content-length', file.row.size).send(file.data);
  };

  // For officials: listen before approving.
  app.get(`${CONTENT}/:id/am-thanh`, async (request, reply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const c = await contentFor(ctx, request.access, (request.params as { id: string }).id, 'radio.read');
    if (!c.file_id) throw notFound();
    void reply.header('cache-control', 'private, no-store');
    return sendSound(reply, c.file_id);
  });

  // For devices: an approved item's sound, by its signed address (no session). Not approved: gone.
  app.get(`${RADIO}/phat/:id`, async (request, reply) => {
    const { id } = request.params as { id: string };
    const { k } = request.query as { k?: string };
    if (typeof k !== 'string' || !mediaTokenValid(ctx, id, k)) throw notFound();
    const c = await db.selectFrom('radio_content').select(['file_id', 'status']).where('id', '=', id).executeTakeFirst();
    if (!c?.file_id || c.status !== 'approved') throw notFound();
    // The sound never changes under its id: devices may keep it.
    void reply.header('cache-control', 'private, max-age=31536000, immutable');
    return sendSound(reply, c.file_id);
  });

  const decide = (approve: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!signedIn(request, reply, 'official')) return reply;
    const { id } = request.params as { id: string };
    const body = formStrings(request.body ?? {});
    try {
      await decideContent(ctx, request.access, request.auditContext, id, { approve, note: body.note ?? '' });
    } catch (err) {
      if (err instanceof AppError && (err.fields.length || err.status === 409)) {
        return renderContent(request, reply, id, err.fields.length ? err.fields : [{ field: '', key: err.messageKey }], body, err.status);
      }
      throw err;
    }
    setFlash(reply, approve ? 'radio.flash.approved' : 'radio.flash.rejected');
    return reply.redirect(`${CONTENT}/${id}`, 303);
  };
  app.post(`${CONTENT}/:id/duyet`, decide(true));
  app.post(`${CONTENT}/:id/tu-choi`, decide(false));
}
