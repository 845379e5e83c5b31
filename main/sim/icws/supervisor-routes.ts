// The supervisor side of agent assistance and the agents' statuses (§2.5), answered the way
// the simulator reads the SDK: the supervisor-assistance subscription (403 for a user who
// supervises no workgroup), one request's conversation, a supervisor's action at the
// inferred path (or another, a knob), and user statuses (a subscription and one user now).

import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { ERRORS, MAX_TEXT_LENGTH, ParticipantAction, RequestError, icwsTime, readJsonBody } from './wire';
import type { Reply } from './wire';
import type { IcwsSimState, Session } from './state';

const is = (segment: string | undefined, literal: string) => segment?.toLowerCase() === literal;

// supervisorAssistanceRequestAction: `text`, `action` (2 ignore, 3 accept), or both; `__type` may ride along.
const actionBodySchema = z.object({
  __type: z.string().optional(),
  text: z
    .string()
    .trim()
    .min(1)
    .refine((s) => [...s].length <= MAX_TEXT_LENGTH)
    .optional(),
  action: z.union([z.literal(ParticipantAction.Ignored), z.literal(ParticipantAction.Accepted)]).optional(),
});

const statusSubscriptionSchema = z.object({
  userIds: z.array(z.string().min(1)).min(1),
  userStatusProperties: z.array(z.string()).optional(),
});

/** The action path's template as a matcher over the path below `/icws/{sessionId}/` (any case, as real servers match). */
function actionMatcher(template: string): RegExp {
  const [before, after] = template.replace(/^\/+/, '').split('{assistanceId}') as [string, string];
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escape(before)}([^/]+)${escape(after ?? '')}$`, 'i');
}

/** Answers the request when it is one of these resources; false leaves it to the other routes. */
export async function handleSupervisorRoute(state: IcwsSimState, req: IncomingMessage, reply: Reply, session: Session, method: string, rest: string[]): Promise<boolean> {
  const [a, b, c, d, e] = rest;
  const supervisorSubscription = is(a, 'messaging') && is(b, 'subscriptions') && is(c, 'interactions') && is(d, 'supervisor-assistance');
  if (supervisorSubscription && rest.length === 4 && (method === 'PUT' || method === 'DELETE')) {
    await readJsonBody(req);
    if (method === 'PUT' && !state.subscribeSupervisor(session)) {
      reply.error(403, ERRORS.notSupervisor);
      return true;
    }
    if (method === 'DELETE') state.unsubscribeSupervisor(session);
    reply.empty(204);
    return true;
  }
  if (supervisorSubscription && rest.length === 5 && e && (method === 'PUT' || method === 'DELETE')) {
    await readJsonBody(req);
    if (method === 'DELETE') session.detailSubscriptions.delete(e);
    else if (!state.subscribeSupervisorDetails(session, e)) {
      reply.error(404, ERRORS.assistanceNotFound);
      return true;
    }
    reply.empty(204);
    return true;
  }

  const action = method === 'POST' ? actionMatcher(state.supervisorActionPath).exec(rest.join('/')) : null;
  if (action) {
    const parsed = actionBodySchema.safeParse(await readJsonBody(req));
    if (!parsed.success) throw new RequestError(400, { ...ERRORS.invalidRepresentation, message: `Give text (at most ${MAX_TEXT_LENGTH} characters), action 2 or 3, or both.` });
    const result = state.supervisorAct(session.user, action[1]!, { action: parsed.data.action, text: parsed.data.text });
    if (result === 'not_found') reply.error(404, ERRORS.assistanceNotFound);
    else if (result === 'already_accepted') reply.error(400, ERRORS.assistanceAlreadyAccepted);
    else if (result === 'empty') reply.error(400, { ...ERRORS.invalidRepresentation, message: 'Give text, an action, or both.' });
    else reply.empty(204);
    return true;
  }

  if (rest.length === 4 && is(a, 'messaging') && is(b, 'subscriptions') && is(c, 'status') && is(d, 'user-statuses') && (method === 'PUT' || method === 'DELETE')) {
    const body = await readJsonBody(req);
    if (method === 'DELETE') {
      state.unsubscribeStatuses(session);
      reply.empty(204);
      return true;
    }
    const parsed = statusSubscriptionSchema.safeParse(body);
    if (!parsed.success) throw new RequestError(400, { ...ERRORS.invalidRepresentation, message: 'userIds (at least one) is required.' });
    const refused = state.subscribeStatuses(session, parsed.data.userIds);
    if (refused?.refused === 'forbidden') reply.error(403, ERRORS.statusNoRight);
    else if (refused) reply.error(404, ERRORS.userNotFound);
    else reply.empty(204);
    return true;
  }
  if (rest.length === 3 && is(a, 'status') && is(b, 'user-statuses') && c && method === 'GET') {
    const status = state.statusOf(session.user, c);
    if (status === 'forbidden') reply.error(403, ERRORS.statusNoRight);
    else if (status === 'unknown') reply.error(404, ERRORS.userNotFound);
    else reply.json(200, { userId: state.user(c).userId, statusId: status.statusId, loggedIn: status.loggedIn, onPhone: status.onPhone, statusChanged: icwsTime(status.statusChanged) });
    return true;
  }
  return false;
}
