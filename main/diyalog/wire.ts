// zod schemas for the 200 bodies of the Diyalog endpoints (digest §1.2). Lenient where
// the vendor documents contradict themselves, strict where our logic depends on a field.
// Unknown extra fields are allowed everywhere: servers add fields between versions.

import { z } from 'zod';
import type { HelpRecord, HelpType } from '../../shared/diyalog';

// Java servers sometimes serialise ids as numbers; we always handle them as text.
const wireId = z.union([z.string(), z.number().transform(String)]);

// Documented as `long`: a number, or a decimal string from servers that quote longs.
const wireLong = z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]).pipe(z.number().int());

// null and absent mean the same thing on this wire.
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

const errorCode = optional(z.number().int());

export const helpStateWire = z.object({
  // Absent in some "no such customer" answers, which carry only errorCode.
  isInHelp: optional(z.boolean()),
  // An unknown direction is shown as unknown rather than failing the whole answer.
  helpType: z
    .unknown()
    .optional()
    .transform((v): HelpType | null => (v === 'inbound' || v === 'outbound' ? v : null)),
  staffId: optional(wireId),
  errorCode,
});
export type HelpStateWire = z.output<typeof helpStateWire>;

/** finishonlinehelp and interactionisnotdelivered share this shape. */
export const operationResultWire = z.object({
  isSuccess: z.boolean(),
  message: optional(z.string()),
  errorCode,
});
export type OperationResultWire = z.output<typeof operationResultWire>;

export const helpRecordWire = z
  .object({
    onlineHelpId: wireLong,
    customerNo: wireId,
    customerName: optional(z.string()),
    agentId: optional(wireId),
    agentName: optional(z.string()),
    // Documented states or display strings ("Ended by customer"): shown as they came.
    helpState: z.string(),
    helpRequestedAt: wireLong,
    helpStartedAt: optional(wireLong),
    helpEndedAt: optional(wireLong),
    waitTime: optional(z.number()),
    helpTime: optional(z.number()),
    // Documented as int, really a URL string; anything else is dropped, not fatal.
    conversationDetailLink: z.unknown().optional().transform((v) => (typeof v === 'string' && v !== '' ? v : undefined)),
  })
  .transform((r): HelpRecord => {
    // Build the record field by field so absent stays absent and extras stay out.
    const out: HelpRecord = {
      onlineHelpId: r.onlineHelpId,
      customerNo: r.customerNo,
      customerName: r.customerName ?? '',
      helpState: r.helpState,
      helpRequestedAt: r.helpRequestedAt,
    };
    if (r.agentId !== undefined) out.agentId = r.agentId;
    if (r.agentName !== undefined) out.agentName = r.agentName;
    if (r.helpStartedAt !== undefined) out.helpStartedAt = r.helpStartedAt;
    if (r.helpEndedAt !== undefined) out.helpEndedAt = r.helpEndedAt;
    if (r.waitTime !== undefined) out.waitTime = r.waitTime;
    if (r.helpTime !== undefined) out.helpTime = r.helpTime;
    if (r.conversationDetailLink !== undefined) out.conversationDetailLink = r.conversationDetailLink;
    return out;
  });

export const helpListWire = z.array(helpRecordWire);

export const messagingDetailWire = z.object({
  isSuccess: z.boolean(),
  conversationDetailLink: optional(z.string()),
  error: optional(z.string()),
});
export type MessagingDetailWire = z.output<typeof messagingDetailWire>;
