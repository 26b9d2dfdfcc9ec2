/**
 * The dossier workflow as a pure state machine: states, the actions that move between them, who may
 * take each action and what it needs. No I/O here; `commands.ts` applies a decision in a transaction.
 *
 * States map to the national public-service portal's status codes (DOMAIN.md §2): awaiting the
 * leader's approval is a stage of "processing" (4) there.
 */
export const DOSSIER_STATES = [
  'new',
  'received',
  'refused',
  'processing',
  'awaiting_approval',
  'supplement_requested',
  'withdrawn',
  'stopped',
  'done',
  'returned',
] as const;
export type DossierState = (typeof DOSSIER_STATES)[number];

export const NATIONAL_STATUS: Record<DossierState, number> = {
  new: 1,
  received: 2,
  refused: 3,
  processing: 4,
  awaiting_approval: 4,
  supplement_requested: 5,
  withdrawn: 7,
  stopped: 8,
  done: 9,
  returned: 10,
};

/** Final states: nothing moves a dossier out of them. */
export const FINAL_STATES: readonly DossierState[] = ['refused', 'withdrawn', 'stopped', 'returned'];

/** Who takes an action: the desk (receiving official), the specialist, the leader, or the applicant. */
export type WorkflowRole = 'desk' | 'specialist' | 'leader' | 'applicant';

export interface ActionRule {
  from: readonly DossierState[];
  /** The next state; `resume` goes back to the state the dossier was paused in. */
  to: DossierState | 'resume';
  by: readonly WorkflowRole[];
  /** The action needs a written note (the reason of a refusal, what to supplement…). */
  needsNote?: boolean;
  /** The action names the specialist who will handle the dossier. */
  needsAssignee?: boolean;
  /** National form issued to the applicant by this action. */
  form?: '02' | '03';
  /** Effect on the legal clock. */
  clock?: 'start' | 'pause' | 'resume' | 'stop';
}

export const ACTIONS = {
  receive: { from: ['new'], to: 'received', by: ['desk'], clock: 'start' },
  refuse: { from: ['new', 'received'], to: 'refused', by: ['desk'], needsNote: true, form: '03', clock: 'stop' },
  request_supplement: {
    from: ['new', 'received', 'processing'],
    to: 'supplement_requested',
    by: ['desk', 'specialist'],
    needsNote: true,
    form: '02',
    clock: 'pause',
  },
  provide_supplement: { from: ['supplement_requested'], to: 'resume', by: ['applicant', 'desk'], clock: 'resume' },
  assign: { from: ['received'], to: 'processing', by: ['desk', 'leader'], needsAssignee: true },
  submit_for_approval: { from: ['processing'], to: 'awaiting_approval', by: ['specialist'] },
  approve: { from: ['awaiting_approval'], to: 'done', by: ['leader'], clock: 'stop' },
  send_back: { from: ['awaiting_approval'], to: 'processing', by: ['leader'], needsNote: true },
  return_result: { from: ['done'], to: 'returned', by: ['desk'] },
  withdraw: {
    from: ['new', 'received', 'processing', 'awaiting_approval', 'supplement_requested'],
    to: 'withdrawn',
    by: ['applicant', 'desk'],
    clock: 'stop',
  },
  stop: {
    from: ['received', 'processing', 'awaiting_approval', 'supplement_requested'],
    to: 'stopped',
    by: ['leader'],
    needsNote: true,
    clock: 'stop',
  },
} as const satisfies Record<string, ActionRule>;
export type DossierAction = keyof typeof ACTIONS;
export const isDossierAction = (v: string): v is DossierAction => Object.hasOwn(ACTIONS, v);

/** What the machine needs to know about a dossier. */
export interface DossierFacts {
  state: DossierState;
  /** The state a supplement request paused (to resume into). */
  pausedFrom: DossierState | null;
  /** Supplement requests so far: the law allows one. */
  supplementRequests: number;
  /** Specialist currently assigned, if any. */
  assigneeId: string | null;
}

export interface ActionInput {
  roles: readonly WorkflowRole[];
  actorId: string;
  note?: string | undefined;
  assigneeId?: string | undefined;
}

export type Refusal = 'not_allowed_from_state' | 'role_not_allowed' | 'note_required' | 'assignee_required' | 'supplement_once' | 'not_assignee';

export type Decision =
  | { ok: true; to: DossierState; rule: ActionRule; pausedFrom: DossierState | null }
  | { ok: false; reason: Refusal };

/** Decides an action on a dossier. Pure: the same facts and input always give the same decision. */
export function decide(facts: DossierFacts, action: DossierAction, input: ActionInput): Decision {
  const rule: ActionRule = ACTIONS[action];
  if (!rule.from.includes(facts.state)) return { ok: false, reason: 'not_allowed_from_state' };
  if (!rule.by.some((r) => input.roles.includes(r))) return { ok: false, reason: 'role_not_allowed' };
  // A specialist moves only a dossier assigned to them (the desk and the leader act on any of the unit).
  if (action === 'submit_for_approval' && facts.assigneeId !== input.actorId) return { ok: false, reason: 'not_assignee' };
  if (rule.needsNote && !input.note?.trim()) return { ok: false, reason: 'note_required' };
  if (rule.needsAssignee && !input.assigneeId) return { ok: false, reason: 'assignee_required' };
  if (action === 'request_supplement' && facts.supplementRequests >= 1) return { ok: false, reason: 'supplement_once' };
  if (rule.to === 'resume') {
    // A paused dossier goes back where it was; one paused before reception comes back received.
    const back = facts.pausedFrom && facts.pausedFrom !== 'new' ? facts.pausedFrom : 'received';
    return { ok: true, to: back, rule, pausedFrom: null };
  }
  return { ok: true, to: rule.to, rule, pausedFrom: rule.clock === 'pause' ? facts.state : facts.pausedFrom };
}

/** The actions a person holding `roles` could take now (to show only meaningful buttons). */
export function availableActions(facts: DossierFacts, roles: readonly WorkflowRole[], actorId: string): DossierAction[] {
  return (Object.keys(ACTIONS) as DossierAction[]).filter((a) => {
    const d = decide(facts, a, { roles, actorId, note: 'x', assigneeId: 'x' });
    return d.ok;
  });
}
