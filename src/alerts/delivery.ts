// Delivering one message reliably: POST with a timeout; a network error, 429 or 5xx is retried with
// exponential backoff (backoffMs × 2^(attempt-1)); any other 4xx is final. Idempotent by the delivery
// key: a key already delivered is never sent again, so a retried intake, a restart or a second alert
// cannot duplicate a message. Every outcome is written to the delivery log. Errors never carry the URL
// or the secret: they name the destination and the HTTP status only.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { DeliveryRecord, IncidentStore } from '../../graph/incidents/types.ts';

export interface HttpResponse {
  status: number;
}

/** POSTs JSON and answers the HTTP status. */
export type Transport = (url: string, body: unknown, timeoutMs: number) => Promise<HttpResponse>;

/** One fresh connection per attempt (no pooled socket that the receiver may have closed meanwhile). */
export const httpTransport: Transport = (url, body, timeoutMs) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        agent: false,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          'user-agent': 'lineage-graph-alerts',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { name: 'TimeoutError' })));
    req.on('error', reject);
    req.end(payload);
  });

export interface DeliveryPolicy {
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
}

/** What to deliver: the delivery record's identity and summary (graph/incidents/types.ts), and the request itself. */
export interface DeliveryJob extends Pick<
  DeliveryRecord,
  'key' | 'incidentId' | 'destination' | 'destinationType' | 'owner' | 'event' | 'summary'
> {
  /** Where and what to POST; null with a reason when it cannot be sent (a missing secret). */
  request: { url: string; body: unknown } | { error: string };
}

export interface DeliveryDeps {
  incidents: IncidentStore;
  transport: Transport;
  policy: DeliveryPolicy;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

const retryable = (status: number) => status === 429 || status >= 500;

/** Sends `job` unless its key was delivered already; returns the log record. */
export async function deliver(job: DeliveryJob, deps: DeliveryDeps): Promise<DeliveryRecord> {
  const prev = await deps.incidents.getDelivery(job.key);
  if (prev?.status === 'delivered') return prev;
  const at = deps.now().toISOString();
  const record: DeliveryRecord = {
    key: job.key,
    incidentId: job.incidentId,
    destination: job.destination,
    destinationType: job.destinationType,
    owner: job.owner,
    event: job.event,
    status: 'failed',
    attempts: prev?.attempts ?? 0,
    lastError: null,
    createdAt: prev?.createdAt ?? at,
    updatedAt: at,
    deliveredAt: null,
    httpStatus: null,
    summary: job.summary,
  };
  if ('error' in job.request) {
    record.lastError = job.request.error;
    await deps.incidents.putDelivery(record);
    return record;
  }
  const { url, body } = job.request;
  for (let attempt = 1; attempt <= deps.policy.attempts; attempt++) {
    record.attempts++;
    let status: number | null = null;
    try {
      status = (await deps.transport(url, body, deps.policy.timeoutMs)).status;
    } catch (err) {
      const name = (err as Error).name;
      record.lastError = `${job.destination}: ${name === 'TimeoutError' ? 'timed out' : 'network error'}`;
    }
    record.httpStatus = status;
    if (status !== null && status >= 200 && status < 300) {
      record.status = 'delivered';
      record.lastError = null;
      record.deliveredAt = deps.now().toISOString();
      break;
    }
    if (status !== null) record.lastError = `${job.destination}: HTTP ${status}`;
    if (status !== null && !retryable(status)) break;
    if (attempt < deps.policy.attempts) await deps.sleep(deps.policy.backoffMs * 2 ** (attempt - 1));
  }
  record.updatedAt = deps.now().toISOString();
  await deps.incidents.putDelivery(record);
  return record;
}
