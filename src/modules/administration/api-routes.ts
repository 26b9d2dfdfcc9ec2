import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.ts';
import { notFound, unauthenticated } from '../../platform/errors.ts';
import { unitRepository } from '../../platform/units/repository.ts';
import { maskPersonalNumber } from '../../platform/auth/accounts.ts';
import { administrationRepository } from './repository.ts';

const Me = z.object({
  id: z.string(),
  kind: z.enum(['official', 'citizen']),
  displayName: z.string(),
  unitId: z.string(),
  grants: z.array(z.object({ role: z.string(), unitId: z.string(), field: z.string().nullable() })),
});
const Unit = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  kind: z.string(),
  level: z.string(),
  parentId: z.string().nullable(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
});
const Account = z.object({
  id: z.string(),
  kind: z.string(),
  username: z.string().nullable(),
  displayName: z.string(),
  unitId: z.string(),
  originUnitId: z.string(),
  personalNumber: z.string().nullable(),
});
const Problem = z.object({ title: z.string(), status: z.number(), detail: z.string() });
const IdParams = z.object({ id: z.string().max(64) });

/** JSON API: the same rules as the pages (session, scope, 404 outside it), documented at /api/docs. */
export function registerAdministrationApi(app: FastifyInstance, ctx: AppContext) {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const units = unitRepository(ctx.database);
  const repo = administrationRepository(ctx.database);

  api.get('/api/v1/me', { schema: { tags: ['auth'], response: { 200: Me, 401: Problem } } }, async (request) => {
    if (!request.actor) throw unauthenticated();
    const a = request.actor;
    return { id: a.id, kind: a.kind, displayName: a.displayName, unitId: a.unitId, grants: a.grants };
  });

  api.get('/api/v1/units/:id', { schema: { tags: ['units'], params: IdParams, response: { 200: Unit, 404: Problem } } }, async (request) => {
    if (!request.actor) throw unauthenticated();
    const u = await units.byId(request.params.id);
    if (!u) throw notFound();
    await request.access.authorize('unit.read', { unitId: u.id });
    return { id: u.id, code: u.code, name: u.name, kind: u.kind, level: u.level, parentId: u.parent_id, validFrom: u.valid_from, validTo: u.valid_to };
  });

  api.get('/api/v1/accounts/:id', { schema: { tags: ['accounts'], params: IdParams, response: { 200: Account, 404: Problem } } }, async (request) => {
    if (!request.actor) throw unauthenticated();
    const a = await repo.account(request.params.id);
    if (!a) throw notFound();
    await request.access.authorize('account.read', { unitId: a.unit_id, ownerId: a.id });
    return {
      id: a.id,
      kind: a.kind,
      username: a.username,
      displayName: a.display_name,
      unitId: a.unit_id,
      originUnitId: a.origin_unit_id,
      personalNumber: maskPersonalNumber(a.personal_number),
    };
  });
}
