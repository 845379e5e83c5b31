// The connect exchange with one server: POST /icws/connection with the credentials, then
// the session id, CSRF token and cookie it answers with, the alternates it names, and its
// features (from the answer, or a GET of connection/features when it leaves them out),
// which decide what the clients may ask of it. The password goes only in this body, only to
// the server being tried.

import { AppError } from '../../shared/errors';
import type { Clock } from '../http';
import { badResponse, icwsError, readErrorBody } from './errors';
import type { IcwsTarget, ReportedBy } from './servers';
import { API_ACCEPT, parseJson } from './session-http';
import type { Connection, SessionHttp } from './session-http';
import { CONNECTION_REQUEST_TYPE, JSON_CONTENT_TYPE, connectAnswerSchema, featuresAnswerSchema, featuresOf, toFeatures } from './wire';
import type { Features } from './wire';

export interface IcwsCredentials {
  userId: string;
  password: string;
}

export interface LoginOptions {
  credentials: IcwsCredentials;
  applicationName: string;
  clock: Clock;
  /** A server named alternates (in its answer, or in its refusal). */
  learnAlternates: (reportedBy: ReportedBy, entries: string[]) => void;
}

export interface Login {
  connection: Connection;
  /** featureId → version */
  features: Features;
  /** Days left before the password expires, as the server counted them at this login; null when it did not say. */
  daysUntilPasswordExpiration: number | null;
}

/**
 * Not cancellable by logout on purpose (only its own timeout ends it): an aborted login
 * may still create a session on the server, and we could not log that one out.
 */
export async function logIn(http: SessionHttp, target: IcwsTarget, options: LoginOptions): Promise<Login> {
  const what = 'connect';
  http.jar.clear();
  const response = await http.fetchOnce(`${target.base}/icws/connection?include=features,version`, what, {
    method: 'POST',
    headers: { 'Accept-Language': http.language, 'Content-Type': JSON_CONTENT_TYPE, Accept: API_ACCEPT },
    body: JSON.stringify({
      __type: CONNECTION_REQUEST_TYPE,
      applicationName: options.applicationName,
      userID: options.credentials.userId,
      password: options.credentials.password,
    }),
    signal: AbortSignal.timeout(http.timeoutMs),
  });
  if (!response.ok) {
    const body = await readErrorBody(response);
    if (body.alternateHostList) options.learnAlternates({ target, icServer: null }, body.alternateHostList);
    throw icwsError(response.status, body, what, { connect: true });
  }
  const answer = await parseJson(response, what, connectAnswerSchema);
  http.jar.update(response.headers);
  if (http.jar.size === 0) throw badResponse(what, 'no icws_ session cookie', response.status);
  const icServer = answer.icServer ?? null;
  if (answer.alternateHostList) options.learnAlternates({ target, icServer }, answer.alternateHostList);
  const features = featuresOf(answer) ?? (await fetchFeatures(http, target));
  return {
    connection: {
      target,
      sessionId: response.headers.get('ININ-ICWS-Session-ID') ?? answer.sessionId,
      csrfToken: response.headers.get('ININ-ICWS-CSRF-Token') ?? answer.csrfToken,
      icServer,
      since: options.clock(),
    },
    features,
    daysUntilPasswordExpiration: answer.daysUntilPasswordExpiration ?? null,
  };
}

async function fetchFeatures(http: SessionHttp, target: IcwsTarget): Promise<Features> {
  const what = 'GET connection/features';
  const response = await http.fetchOnce(`${target.base}/icws/connection/features`, what, {
    headers: { 'Accept-Language': http.language, Accept: API_ACCEPT },
    signal: AbortSignal.timeout(http.timeoutMs),
  });
  if (!response.ok) throw icwsError(response.status, await readErrorBody(response), what);
  return toFeatures((await parseJson(response, what, featuresAnswerSchema)).featureInfoList);
}

export function hasFeature(features: Features, featureId: string, minVersion: number): boolean {
  return (features.get(featureId) ?? 0) >= minVersion;
}

export function requireFeature(features: Features, featureId: string, minVersion: number, what: string): void {
  if (hasFeature(features, featureId, minVersion)) return;
  const have = features.get(featureId);
  throw new AppError(
    'feature_unsupported',
    `The ICWS server does not support ${what} (needs ${featureId} version ${minVersion}, server has ${have ?? 'none'}).`,
    { featureId, required: minVersion, available: have ?? null },
  );
}
