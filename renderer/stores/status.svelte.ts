// App-wide status: what main says about itself (demo, version, language), the ICWS
// connection, and whether the link to main is up. The header renders it; nothing else here
// touches the DOM, so it runs in Node tests against a fake transport.

import { Disposables } from '../../shared/disposables';
import type { ConnectionState } from '../../shared/assistance';
import type { Language, Status } from '../../shared/contract';
import type { ErrorValue } from '../../shared/errors';
import { safeCall, type RendererApi } from '../bridge';
import { language } from './language.svelte';

export class StatusStore {
  status = $state<Status | null>(null);
  connection = $state<ConnectionState | null>(null);
  linkDown = $state(false);
  error = $state<ErrorValue | null>(null);
  /** Whether the page is seen (unread messages count as read only then). */
  visible = $state(true);
  /** A "Log in again" is on its way. */
  loggingIn = $state(false);
  /** Why the last "Log in again" failed; cleared by the next try or when the session is back. */
  loginError = $state<ErrorValue | null>(null);

  /**
   * The ICWS server ended the session and asked us not to log in by ourselves, or refused the
   * login for a reason of its own (no licence, an expired password: connect_refused): nothing
   * happens until the user says so, so every screen that shows it offers "Log in again".
   */
  get waitsForLogin(): boolean {
    const c = this.connection;
    return c?.state === 'down' && (c.code === 'session_ended' || c.code === 'connect_refused');
  }

  readonly #api: RendererApi;
  readonly #visible: () => boolean;
  // Each change is pushed, so a push that arrives while status.get is on its way is at
  // least as new as the answer: the answer must not undo it.
  #statusPushes = 0;
  #connectionPushes = 0;

  constructor(api: RendererApi, options: { visible?: () => boolean } = {}) {
    this.#api = api;
    this.#visible = options.visible ?? (() => true);
  }

  get lang(): Language {
    return language.current;
  }

  /** Subscribes and loads; returns the stop. */
  start(): () => void {
    const teardown = new Disposables();
    teardown.addAll(
      this.#api.on('status.changed', (status) => {
        this.#statusPushes += 1;
        this.#apply(status);
        // Main speaks again: a status it could not give, or a language it refused, is old news.
        this.error = null;
      }),
      this.#api.on('connection.changed', (state) => {
        this.#connectionPushes += 1;
        this.connection = state;
        if (state.state === 'up') this.loginError = null;
      }),
      this.#api.onLinkChange((up) => (this.linkDown = !up)),
      // main may have restarted meanwhile and forgotten that the page is hidden.
      this.#api.onReconnect(() => {
        void this.load();
        void this.reportVisibility();
      }),
    );
    void this.load();
    void this.reportVisibility();
    return () => teardown.dispose();
  }

  async load(): Promise<void> {
    const seen = { status: this.#statusPushes, connection: this.#connectionPushes };
    const result = await safeCall(this.#api, 'status.get', {});
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.error = null;
    if (this.#statusPushes !== seen.status) return;
    const pushed = this.connection;
    this.#apply(result.value);
    if (this.#connectionPushes !== seen.connection) this.connection = pushed;
  }

  /** Logs in to ICWS again after the server ended the session; assistance and the picker subscribe again. */
  async loginAgain(): Promise<void> {
    if (this.loggingIn) return;
    this.loggingIn = true;
    this.loginError = null;
    const result = await safeCall(this.#api, 'assistance.loginAgain', {});
    this.loggingIn = false;
    if (!result.ok) this.loginError = result.error;
  }

  /** The help watch polls slower while nobody looks. */
  async reportVisibility(): Promise<void> {
    this.visible = this.#visible();
    await safeCall(this.#api, 'ui.visibility', { visible: this.visible });
  }

  async setLanguage(lang: Language): Promise<void> {
    const before = language.current;
    language.current = lang;
    const result = await safeCall(this.#api, 'language.set', { language: lang });
    if (result.ok) this.#apply(result.value);
    else {
      language.current = before;
      this.error = result.error;
    }
  }

  #apply(status: Status): void {
    this.status = status;
    this.connection = status.icws;
    language.current = status.language;
  }
}
