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

/** Open states: the dossier is still being handled (the legal clock may run out). */
export const OPEN_STATES: readonly string[] = ['new', 'received', 'processing', 'awaiting_approval', 'supplement_requested'] satisfies DossierState[];

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

/**
 * Steps beside the state machine: they never change the state, but have rules of their own. Pure,
 * like {@link decide}: fees and their confirmation, form 04 for an overdue dossier, the rating.
 */
export type SideStep = 'set_fee' | 'confirm_payment' | 'apology' | 'rate';
export type SideRefusal = 'not_allowed_from_state' | 'role_not_allowed' | 'already_paid' | 'no_fee' | 'apology_once' | 'not_overdue' | 'new_date' | 'note_required' | 'rating_once';

export interface SideFacts {
  state: DossierState;
  /** none, unpaid, paid, exempt; null while the fee is not yet set. */
  paymentStatus: string | null;
  feeAmount: number | null;
  dueDate: string | null;
  apologyAt: string | null;
  rating: number | null;
}

export interface SideInput {
  roles: readonly WorkflowRole[];
  /** Local date today (YYYY-MM-DD). */
  today: string;
  note?: string | undefined;
  /** Form 04's new date. */
  newDate?: string | undefined;
}

const OPEN = OPEN_STATES as readonly DossierState[];
const SIDE_RULES: Record<SideStep, { from: readonly DossierState[]; by: readonly WorkflowRole[] }> = {
  set_fee: { from: [...OPEN, 'done'], by: ['desk'] },
  confirm_payment: { from: [...OPEN, 'done', 'returned'], by: ['desk'] },
  // Form 04 is issued by those handling the dossier, once it is (or will be) late.
  apology: { from: ['received', 'processing', 'awaiting_approval'], by: ['desk', 'specialist', 'leader'] },
  // The applicant rates from their account; the desk records a rating given at the counter.
  rate: { from: ['returned'], by: ['applicant', 'desk'] },
};

export function decideSide(f: SideFacts, step: SideStep, input: SideInput): { ok: true } | { ok: false; reason: SideRefusal } {
  const rule = SIDE_RULES[step];
  if (!rule.from.includes(f.state)) return { ok: false, reason: 'not_allowed_from_state' };
  if (!rule.by.some((r) => input.roles.includes(r))) return { ok: false, reason: 'role_not_allowed' };
  switch (step) {
    case 'set_fee':
      return f.paymentStatus === 'paid' ? { ok: false, reason: 'already_paid' } : { ok: true };
    case 'confirm_payment':
      if (f.paymentStatus === 'paid') return { ok: false, reason: 'already_paid' };
      return f.paymentStatus === 'unpaid' && (f.feeAmount ?? 0) > 0 ? { ok: true } : { ok: false, reason: 'no_fee' };
    case 'apology':
      // One re-appointment only [assumed in DOMAIN.md §2].
      if (f.apologyAt) return { ok: false, reason: 'apology_once' };
      if (!f.dueDate || f.dueDate > input.today) return { ok: false, reason: 'not_overdue' };
      if (!input.note?.trim()) return { ok: false, reason: 'note_required' };
      if (!input.newDate || input.newDate <= input.today) return { ok: false, reason: 'new_date' };
      return { ok: true };
    case 'rate':
      return f.rating !== null ? { ok: false, reason: 'rating_once' } : { ok: true };
  }
}

/** The side steps the roles could take now (to show only meaningful forms). */
export const availableSideSteps = (f: SideFacts, roles: readonly WorkflowRole[], today: string): SideStep[] =>
  (Object.keys(SIDE_RULES) as SideStep[]).filter((s) => decideSide(f, s, { roles, today, note: 'x', newDate: '9999-12-31' }).ok);
