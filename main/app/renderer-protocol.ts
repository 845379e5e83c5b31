// Wires app:// to Electron; what it answers is decided in renderer-files.ts.
import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { APP_SCHEME } from './channels';
import { answerRendererRequest } from './renderer-files';

/**
 * Must run before the app is ready: `app://` behaves as a secure standard origin. CORS-enabled
 * because Vite marks its module scripts `crossorigin`.
 */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
}

/** Serves the built renderer at app://companion/ with the CSP; nothing outside its folder. */
export function serveRenderer(rendererDir: string): void {
  // net.fetch of a file:// URL reads inside app.asar and sets the content type.
  protocol.handle(APP_SCHEME, (request) => answerRendererRequest(rendererDir, request, (file) => net.fetch(pathToFileURL(file).href)));
}
