// Posts an Ada webhook to a running daemon, signed in the test the way Svix signs (a fresh svix-id each time).
import { randomUUID } from 'node:crypto';
import { sign } from '../../adapters/ada/test/harness.js';

export async function postSignedWebhook(baseUrl: string, secret: string, payload: unknown): Promise<Response> {
  const body = JSON.stringify(payload);
  const id = `msg_${randomUUID()}`;
  const ts = Math.floor(Date.now() / 1000);
  return fetch(`${baseUrl}/webhooks/ada`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(ts), 'svix-signature': sign(secret, id, ts, body) },
    body,
  });
}
