// /sim/ control endpoints: the IcwsSimControl methods over HTTP, so a test or the demo
// can play the supervisor and inject faults from outside the process.

import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { isAppError } from '../../../shared/errors';
import { CONNECT_REFUSALS, ERRORS, RequestError, readJsonBody } from './wire';
import type { Reply } from './wire';
import type { IcwsSimControl } from './server';

const textSchema = z.object({ text: z.string().min(1) });
const switchoverSchema = z.object({ on: z.boolean() });
const expireSchema = z.object({ sessionId: z.string().min(1).optional() }).optional();
const interactionSchema = z.object({
  userId: z.string().min(1),
  acd: z.boolean().optional(),
  supervisor: z.enum(['answers', 'ignores', 'silent']).optional(),
  type: z.string().min(1).optional(),
  state: z.enum(['alerting', 'connected', 'held', 'disconnected']).optional(),
  remoteName: z.string().optional(),
  remoteAddress: z.string().optional(),
  direction: z.enum(['inbound', 'outbound']).optional(),
  workgroup: z.string().optional(),
});
const interactionStateSchema = z.object({ state: z.enum(['alerting', 'connected', 'held', 'disconnected']) });
const endSchema = z.object({ reason: z.string().min(1).optional(), shouldReconnect: z.boolean().optional(), sessionId: z.string().min(1).optional() });
const subscriptionStateSchema = z.object({ state: z.enum(['normal', 'suspended', 'faulted']), announce: z.boolean().optional() });
const statusSchema = z.object({ status: z.number().int().min(200).max(599) });
const availableSchema = z.object({ on: z.boolean() });
const redirectSchema = z.object({
  redirect: z.object({ location: z.string().min(1), status: z.number().int().min(300).max(399).optional(), connectOnly: z.boolean().optional() }).nullable(),
});
const alternatesSchema = z.object({ list: z.array(z.string()).nullable() });
const publishSchema = z.object({
  message: z.looseObject({ __type: z.string().min(1), isDelta: z.boolean() }),
  sessionId: z.string().min(1).optional(),
});
const connectRefusalSchema = z.object({
  refusal: z.object({ reason: z.enum(CONNECT_REFUSALS), status: z.union([z.literal(400), z.literal(500)]).default(400) }).nullable(),
});
const passwordExpirySchema = z.object({ days: z.number().int().nullable() });
const actionPathSchema = z.object({ path: z.string().min(1).includes('{assistanceId}').nullable() });
const supervisorSchema = z.object({ userId: z.string().min(1), supervisor: z.boolean(), workgroup: z.string().min(1).optional() });
const userStatusSchema = z.object({
  userId: z.string().min(1),
  statusId: z.string().min(1).optional(),
  loggedIn: z.boolean().optional(),
  onPhone: z.boolean().optional(),
  hidden: z.boolean().optional(),
});
const raiseSchema = z.object({ userId: z.string().min(1), text: z.string().min(1), workgroup: z.string().min(1).optional() });
const rightSchema = z.object({ userId: z.string().min(1), canRequestAssistance: z.boolean() });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RequestError(400, { ...ERRORS.invalidRepresentation, message: z.prettifyError(parsed.error) });
  return parsed.data;
}

export async function handleSim(control: IcwsSimControl, req: IncomingMessage, reply: Reply, url: URL): Promise<void> {
  const route = `${req.method ?? 'GET'} ${url.pathname.replace(/\/+$/, '')}`;
  const assistance = /^(POST|DELETE) \/sim\/assistance\/([^/]+)(?:\/(accept|ignore|messages))?$/.exec(route);
  const interaction = /^(POST|DELETE) \/sim\/interactions\/([^/]+)(\/state)?$/.exec(route);
  try {
    if (interaction) {
      const [, method, encodedId, state] = interaction;
      const id = decodeURIComponent(encodedId!);
      if (method === 'DELETE' && !state) control.removeInteraction(id);
      else if (method === 'POST' && state) control.setInteractionState(id, parse(interactionStateSchema, await readJsonBody(req)).state);
      else return reply.error(404, ERRORS.notFound);
      return reply.empty(204);
    }
    if (assistance) {
      const [, method, encodedId, action] = assistance;
      const id = decodeURIComponent(encodedId!);
      if (method === 'DELETE' && !action) control.removeRequest(id);
      else if (method === 'POST' && action === 'accept') control.supervisorAccept(id);
      else if (method === 'POST' && action === 'ignore') control.supervisorIgnore(id);
      else if (method === 'POST' && action === 'messages') control.supervisorMessage(id, parse(textSchema, await readJsonBody(req)).text);
      else return reply.error(404, ERRORS.notFound);
      return reply.empty(204);
    }
    switch (route) {
      case 'GET /sim/sessions':
        return reply.json(200, control.sessions());
      case 'POST /sim/sessions/expire':
        return reply.json(200, { expired: control.expireSession(parse(expireSchema, await readJsonBody(req))?.sessionId) });
      case 'POST /sim/switchover':
        control.setSwitchover(parse(switchoverSchema, await readJsonBody(req)).on);
        return reply.json(200, { activeHost: control.activeHost });
      case 'POST /sim/streams/drop':
        return reply.json(200, { dropped: control.dropStreams() });
      case 'POST /sim/interactions': {
        const { userId, ...options } = parse(interactionSchema, await readJsonBody(req));
        return reply.json(201, { interactionId: control.addInteraction(userId, options) });
      }
      case 'POST /sim/users/rights': {
        const { userId, canRequestAssistance } = parse(rightSchema, await readJsonBody(req));
        control.setAssistanceRight(userId, canRequestAssistance);
        return reply.empty(204);
      }
      case 'POST /sim/sessions/end':
        return reply.json(200, { ended: control.endSessions(parse(endSchema, await readJsonBody(req))) });
      case 'POST /sim/streams/stall':
        return reply.json(200, { stalled: control.stallStreams({ lossy: url.searchParams.get('lossy') === 'true' }) });
      case 'POST /sim/subscriptions/assistance': {
        const { state, announce } = parse(subscriptionStateSchema, await readJsonBody(req));
        return reply.json(200, { sessions: control.setAssistanceSubscriptionState(state, { announce }) });
      }
      case 'POST /sim/cookies/invalidate':
        return reply.json(200, { sessions: control.invalidateCookies(parse(statusSchema, await readJsonBody(req)).status) });
      case 'POST /sim/available':
        control.setAvailable(parse(availableSchema, await readJsonBody(req)).on);
        return reply.empty(204);
      case 'POST /sim/redirect':
        control.setRedirect(parse(redirectSchema, await readJsonBody(req)).redirect);
        return reply.empty(204);
      case 'POST /sim/messages': {
        const { message, sessionId } = parse(publishSchema, await readJsonBody(req));
        return reply.json(200, { sessions: control.publish(message, sessionId) });
      }
      case 'POST /sim/connect/refusal':
        control.setConnectRefusal(parse(connectRefusalSchema, await readJsonBody(req)).refusal);
        return reply.empty(204);
      case 'POST /sim/connect/password-expiry':
        control.setPasswordExpiry(parse(passwordExpirySchema, await readJsonBody(req)).days);
        return reply.empty(204);
      case 'POST /sim/proxy/buffering':
        control.setBufferingProxy(parse(availableSchema, await readJsonBody(req)).on);
        return reply.empty(204);
      case 'POST /sim/alternates':
        control.setAlternateHostList(parse(alternatesSchema, await readJsonBody(req)).list);
        return reply.empty(204);
      // The supervisor desk (§2.5): the action path, who supervises, agents' statuses, an agent raising a request.
      case 'POST /sim/supervisor/action-path':
        control.setSupervisorActionPath(parse(actionPathSchema, await readJsonBody(req)).path);
        return reply.empty(204);
      case 'POST /sim/supervisors': {
        const { userId, supervisor, workgroup } = parse(supervisorSchema, await readJsonBody(req));
        control.setSupervisor(userId, supervisor, workgroup);
        return reply.empty(204);
      }
      case 'POST /sim/users/status': {
        const { userId, ...change } = parse(userStatusSchema, await readJsonBody(req));
        control.setUserStatus(userId, change);
        return reply.empty(204);
      }
      case 'POST /sim/agents/requests': {
        const { userId, text, workgroup } = parse(raiseSchema, await readJsonBody(req));
        return reply.json(201, control.raiseRequest(userId, text, workgroup));
      }
      case 'GET /sim/requests':
        return reply.json(200, { requestCount: control.requestCount, requests: control.requests });
      default:
        return reply.error(404, ERRORS.notFound);
    }
  } catch (e) {
    if (isAppError(e) && e.code === 'not_found') return reply.error(404, { errorId: ERRORS.notFound.errorId, message: e.message });
    throw e;
  }
}
