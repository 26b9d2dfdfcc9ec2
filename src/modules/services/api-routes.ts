import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.ts';
import { notFound, unauthenticated } from '../../platform/errors.ts';
import { applyAction, fileOnline } from './commands.ts';
import { localToday } from './calendar.ts';
import { OPEN_STATES, servicesRepository } from './repository.ts';
import { ACTIONS, DOSSIER_STATES, NATIONAL_STATUS, isDossierAction, type DossierAction, type DossierState } from './workflow.ts';

const Problem = z.object({ title: z.string(), status: z.number(), detail: z.string() });
const Tracking = z.object({
  code: z.string(),
  procedure: z.string(),
  status: z.string(),
  nationalStatus: z.number(),
  dueDate: z.string().nullable(),
  overdue: z.boolean(),
});
const DossierSummary = z.object({
  id: z.string(),
  code: z.string().nullable(),
  procedureCode: z.string(),
  procedureName: z.string(),
  unitId: z.string(),
  channel: z.string(),
  status: z.string(),
  applicantName: z.string(),
  dueDate: z.string().nullable(),
});

/**
 * JSON API of the services module, with the pages' rules: public tracking without personal data,
 * filing by a signed-in citizen, workflow actions by the officials in scope (409 with the reason).
 * Unsafe methods need the `x-csrf-token` header like every form.
 */
export function registerServicesApi(app: FastifyInstance, ctx: AppContext) {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const repo = servicesRepository(ctx.database);

  api.get(
    '/api/v1/tracking/:code',
    { schema: { tags: ['services'], summary: 'Public tracking of a dossier by its code', params: z.object({ code: z.string().max(60) }), response: { 200: Tracking, 404: Problem } } },
    async (request) => {
      const d = await repo.trackingByCode(request.params.code);
      if (!d || d.state === 'draft') throw notFound();
      return {
        code: d.code,
        procedure: d.procedure_name,
        status: d.state,
        nationalStatus: d.national_status,
        dueDate: d.due_date,
        overdue: OPEN_STATES.includes(d.state) && !!d.due_date && d.due_date < localToday(),
      };
    },
  );

  api.get(
    '/api/v1/dossiers',
    {
      schema: {
        tags: ['services'],
        summary: 'Dossiers of the units in the official’s scope, newest first',
        querystring: z.object({
          status: z.enum(DOSSIER_STATES).optional(),
          procedure: z.string().max(20).optional(),
          overdue: z.enum(['1']).optional(),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        }),
        response: { 200: z.array(DossierSummary), 401: Problem },
      },
    },
    async (request) => {
      if (request.actor?.kind !== 'official') throw unauthenticated();
      request.access.require('dossier.read');
      const q = request.query;
      const rows = await repo.dossiers(await request.access.unitsFor('dossier.read'), {
        state: q.status,
        procedureCode: q.procedure,
        overdueOn: q.overdue ? localToday() : undefined,
        offset: q.offset,
      });
      return rows.map((d) => ({
        id: d.id,
        code: d.code,
        procedureCode: d.procedure_code,
        procedureName: d.procedure_name,
        unitId: d.unit_id,
        channel: d.channel,
        status: d.state,
        applicantName: d.applicant_name,
        dueDate: d.due_date,
      }));
    },
  );

  api.post(
    '/api/v1/dossiers',
    {
      schema: {
        tags: ['services'],
        summary: 'File a dossier online (signed-in citizen); the same idempotency key returns the same dossier',
        body: z.object({ procedureId: z.string().max(64), unitId: z.string().max(64), values: z.record(z.string(), z.string().max(5000)), idempotencyKey: z.string().min(8).max(100) }),
        response: { 201: z.object({ id: z.string(), code: z.string().nullable() }), 200: z.object({ id: z.string(), code: z.string().nullable() }) },
      },
    },
    async (request, reply) => {
      if (request.actor?.kind !== 'citizen') throw unauthenticated();
      const b = request.body;
      const result = await fileOnline(ctx, request.actor, request.auditContext, { procedureId: b.procedureId, unitId: b.unitId, values: b.values, idempotencyKey: b.idempotencyKey, lang: request.lang });
      return reply.code(result.created ? 201 : 200).send({ id: result.id, code: result.code });
    },
  );

  api.post(
    '/api/v1/dossiers/:id/actions/:action',
    {
      schema: {
        tags: ['services'],
        summary: 'Take a workflow action; an action not allowed now, by this person or on this dossier is refused',
        params: z.object({ id: z.string().max(64), action: z.enum(Object.keys(ACTIONS) as [DossierAction, ...DossierAction[]]) }),
        body: z.object({ note: z.string().max(2000).optional(), assigneeId: z.string().max(64).optional() }).default({}),
        response: { 200: z.object({ status: z.string(), nationalStatus: z.number() }), 409: Problem, 404: Problem },
      },
    },
    async (request) => {
      if (!request.actor) throw unauthenticated();
      if (!isDossierAction(request.params.action)) throw notFound();
      const state: DossierState = await applyAction(ctx, request.access, request.auditContext, request.params.id, request.params.action, request.body);
      return { status: state, nationalStatus: NATIONAL_STATUS[state] };
    },
  );
}
