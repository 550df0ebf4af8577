// Real local HTTP receivers for the alert tests: each listens on 127.0.0.1, records every request body,
// and answers with a scripted status sequence (e.g. [500, 503, 200] fails twice, then succeeds).
// Shape checks follow the destinations' documentation (Slack Block Kit messages for incoming webhooks;
// PagerDuty Events API v2).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export interface Receiver {
  url: string;
  /** Every request received, in order, with the status answered. */
  requests: { body: unknown; status: number }[];
  /** Bodies of the requests answered with 2xx. */
  accepted(): unknown[];
  close(): Promise<void>;
}

export async function startReceiver(statuses: number[] = [], okStatus = 200): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statuses.length ? statuses.shift()! : okStatus;
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = Buffer.concat(chunks).toString('utf8');
      }
      requests.push({ body, status });
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      res.end(status === 202 ? '{"status":"success","message":"Event processed"}' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.body),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// ------------------------------------------------------------------- documented payload schemas

const plainText = z.strictObject({
  type: z.literal('plain_text'),
  text: z.string().min(1).max(150),
  emoji: z.boolean().optional(),
});
const mrkdwn = z.strictObject({
  type: z.literal('mrkdwn'),
  text: z.string().min(1).max(3000),
  verbatim: z.boolean().optional(),
});
const sectionBlock = z
  .strictObject({
    type: z.literal('section'),
    text: mrkdwn.optional(),
    fields: z.array(mrkdwn).min(1).max(10).optional(),
    block_id: z.string().max(255).optional(),
  })
  .refine((b) => b.text || b.fields, 'a section needs text or fields');
const headerBlock = z.strictObject({
  type: z.literal('header'),
  text: plainText,
  block_id: z.string().optional(),
});
const contextBlock = z.strictObject({ type: z.literal('context'), elements: z.array(mrkdwn).min(1).max(10) });
const dividerBlock = z.strictObject({ type: z.literal('divider') });

/** An incoming-webhook message: `text` (the notification fallback) and at most 50 blocks. */
export const slackMessageSchema = z.strictObject({
  text: z.string().min(1),
  blocks: z
    .array(z.union([headerBlock, sectionBlock, contextBlock, dividerBlock]))
    .min(1)
    .max(50),
});

const pdBase = {
  routing_key: z.string().min(1),
  dedup_key: z.string().min(1).max(255),
};

/** PagerDuty Events API v2: trigger needs payload {summary, source, severity}; ack/resolve need dedup_key. */
export const pagerDutyEventSchema = z.discriminatedUnion('event_action', [
  z.strictObject({
    ...pdBase,
    event_action: z.literal('trigger'),
    payload: z.strictObject({
      summary: z.string().min(1).max(1024),
      source: z.string().min(1),
      severity: z.enum(['critical', 'error', 'warning', 'info']),
      timestamp: z.iso.datetime().optional(),
      component: z.string().optional(),
      group: z.string().optional(),
      class: z.string().optional(),
      custom_details: z.record(z.string(), z.unknown()).optional(),
    }),
    client: z.string().optional(),
    client_url: z.url().optional(),
    links: z.array(z.strictObject({ href: z.url(), text: z.string().optional() })).optional(),
    images: z.array(z.unknown()).optional(),
  }),
  z.strictObject({ ...pdBase, event_action: z.literal('acknowledge') }),
  z.strictObject({ ...pdBase, event_action: z.literal('resolve') }),
]);
