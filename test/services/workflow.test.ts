import { describe, expect, it } from 'vitest';
import { ACTIONS, DOSSIER_STATES, FINAL_STATES, NATIONAL_STATUS, availableActions, decide, type DossierAction, type DossierFacts, type WorkflowRole } from '../../src/modules/services/workflow.ts';

const ROLES: WorkflowRole[] = ['desk', 'specialist', 'leader', 'applicant'];
const facts = (state: DossierFacts['state'], extra: Partial<DossierFacts> = {}): DossierFacts => ({
  state,
  pausedFrom: null,
  supplementRequests: 0,
  assigneeId: 'spec',
  ...extra,
});
const full = { roles: ROLES, actorId: 'spec', note: 'lý do', assigneeId: 'spec' };

describe('dossier workflow', () => {
  it('maps every state to a national status code 1–10', () => {
    for (const s of DOSSIER_STATES) expect(NATIONAL_STATUS[s]).toBeGreaterThanOrEqual(1);
    expect(new Set(Object.values(NATIONAL_STATUS))).toEqual(new Set([1, 2, 3, 4, 5, 7, 8, 9, 10]));
  });

  it('allows exactly the listed transitions from every state (exhaustive)', () => {
    for (const state of DOSSIER_STATES) {
      for (const action of Object.keys(ACTIONS) as DossierAction[]) {
        const d = decide(facts(state, { pausedFrom: state === 'supplement_requested' ? 'processing' : null }), action, full);
        const listed = (ACTIONS[action].from as readonly string[]).includes(state);
        expect(d.ok, `${action} from ${state}`).toBe(listed);
        if (!listed && !d.ok) expect(d.reason).toBe('not_allowed_from_state');
      }
    }
  });

  it('lets nothing leave a final state', () => {
    for (const s of FINAL_STATES) expect(availableActions(facts(s), ROLES, 'spec')).toEqual([]);
  });

  it('walks the normal path: receive, assign, submit, approve, return', () => {
    let f = facts('new', { assigneeId: null });
    const step = (action: DossierAction, roles: WorkflowRole[], extra: object = {}) => {
      const d = decide(f, action, { roles, actorId: 'spec', ...extra });
      if (!d.ok) throw new Error(`${action}: ${d.reason}`);
      f = { ...f, state: d.to, pausedFrom: d.pausedFrom };
      return d;
    };
    expect(step('receive', ['desk']).rule.clock).toBe('start');
    step('assign', ['desk'], { assigneeId: 'spec' });
    f.assigneeId = 'spec';
    step('submit_for_approval', ['specialist']);
    expect(step('approve', ['leader']).to).toBe('done');
    expect(step('return_result', ['desk']).to).toBe('returned');
  });

  it('checks the role of each action', () => {
    expect(decide(facts('awaiting_approval'), 'approve', { roles: ['desk', 'specialist'], actorId: 'spec' })).toEqual({ ok: false, reason: 'role_not_allowed' });
    expect(decide(facts('new'), 'receive', { roles: ['applicant'], actorId: 'x' })).toEqual({ ok: false, reason: 'role_not_allowed' });
    expect(decide(facts('processing'), 'submit_for_approval', { roles: ['specialist'], actorId: 'other' })).toEqual({ ok: false, reason: 'not_assignee' });
  });

  it('requires a reason for refusal, supplement request, send-back and stop, and an assignee to assign', () => {
    for (const [action, state] of [['refuse', 'new'], ['request_supplement', 'received'], ['send_back', 'awaiting_approval'], ['stop', 'processing']] as const) {
      expect(decide(facts(state), action, { roles: ROLES, actorId: 'spec', note: '  ' })).toEqual({ ok: false, reason: 'note_required' });
    }
    expect(decide(facts('received'), 'assign', { roles: ['desk'], actorId: 'x' })).toEqual({ ok: false, reason: 'assignee_required' });
  });

  it('requests a supplement once, pausing, and resumes into the paused state', () => {
    const d = decide(facts('processing'), 'request_supplement', full);
    expect(d).toMatchObject({ ok: true, to: 'supplement_requested', pausedFrom: 'processing' });
    const back = decide(facts('supplement_requested', { pausedFrom: 'processing', supplementRequests: 1 }), 'provide_supplement', { roles: ['applicant'], actorId: 'c' });
    expect(back).toMatchObject({ ok: true, to: 'processing', pausedFrom: null });
    const fromNew = decide(facts('supplement_requested', { pausedFrom: 'new', supplementRequests: 1 }), 'provide_supplement', { roles: ['applicant'], actorId: 'c' });
    expect(fromNew).toMatchObject({ ok: true, to: 'received' });
    expect(decide(facts('processing', { supplementRequests: 1 }), 'request_supplement', full)).toEqual({ ok: false, reason: 'supplement_once' });
  });
});
