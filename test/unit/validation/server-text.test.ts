// Server text that reaches an error message (which the CLI prints) arrives escaped: a
// rogue or broken server cannot clear the operator's screen or forge a line with it.

import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../shared/errors';
import { DiyalogClient } from '../../../main/diyalog/client';

function clientAnswering(body: unknown): DiyalogClient {
  return new DiyalogClient({
    baseUrl: 'https://diyalog.bank.test',
    credentials: { keyId: 'AKID-1', secret: 'secret' },
    requesterUserId: '45186',
    readRetries: 0,
    fetch: async () => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }),
  });
}

describe('a Diyalog refusal with control characters in its message', () => {
  it('is escaped in the error message, on one line', async () => {
    const client = clientAnswering({ isSuccess: false, message: 'nope\u001b[2J\n2030-01-01 ended  forged\u202E', errorCode: 500 });
    const error = await client.interactionIsNotDelivered({ interactionId: '1001' }).then(
      () => {
        throw new Error('accepted');
      },
      (e: unknown) => e,
    );
    expect(isAppError(error) && error.code).toBe('operation_failed');
    const message = (error as Error).message;
    expect(message).toContain('nope\\x1b[2J\\n2030-01-01 ended  forged\\u202e');
    expect(message.split('\n')).toHaveLength(1);
    // eslint-disable-next-line no-control-regex -- the point: none is left
    expect(message).not.toMatch(/[\u0000-\u001f\u202e]/);
  });
});
