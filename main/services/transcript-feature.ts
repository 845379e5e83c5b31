import type { MessagingDetailQuery } from '../diyalog/client';
import { AppError, guidance } from '../../shared/errors';
import type { ServiceContext } from './context';
import type { Feature, FeatureDeps } from './feature';

export type TranscriptCalls = 'transcript.link' | 'transcript.open';

export interface TranscriptDeps extends FeatureDeps {
  /** Opens a vetted https URL in the system browser; absent where main cannot (the browser host). */
  openExternal: ((url: string) => Promise<void>) | undefined;
}

/** Transcript links (getmessagingdetail), and opening one in the system browser when it is safe to. */
export function createTranscriptFeature({ ctx, openExternal }: TranscriptDeps): Feature<TranscriptCalls> {
  return {
    handlers: {
      'transcript.link': (query) => transcriptLinkOf(ctx, query),
      'transcript.open': async ({ url }) => {
        const target = vetTranscriptUrl(url, ctx.config.get().diyalog.transcriptHosts);
        if (!openExternal) return { opened: false, url: target };
        await openExternal(target);
        return { opened: true, url: target };
      },
    },
  };
}

/** A browser link to the transcript between a staff member and a customer (getmessagingdetail). */
export async function transcriptLinkOf(ctx: ServiceContext, query: MessagingDetailQuery, signal?: AbortSignal): Promise<{ url: string }> {
  return (await ctx.clients.diyalog()).getMessagingDetail(query, signal ? { signal } : {});
}

/** Only https links on a configured transcript host leave the app. */
export function vetTranscriptUrl(raw: string, allowedHosts: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('invalid_input', 'Not a link.');
  }
  if (url.protocol !== 'https:') throw new AppError('invalid_input', 'Only https transcript links are opened.');
  if (url.username || url.password) throw new AppError('invalid_input', 'A transcript link must not carry credentials.');
  if (!allowedHosts.includes(url.hostname)) {
    throw new AppError('invalid_input', `${url.hostname} is not a configured transcript host (Settings → Diyalog).`, {
      guidance: guidance('guidance.transcriptHost', { host: url.hostname }),
    });
  }
  return url.href;
}
