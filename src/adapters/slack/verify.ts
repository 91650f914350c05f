// The verifier alone: importing bolt's index would load its whole App and receivers.
import { isValidSlackRequest } from '@slack/bolt/dist/receivers/verify-request.js';

export interface SignedRequest {
  rawBody: string;
  signature: string | undefined;
  timestamp: string | undefined;
}

/**
 * Slack's request signing: HMAC-SHA256 of `v0:{timestamp}:{raw body}`, compared in constant time,
 * and a timestamp within five minutes of now (bolt's maintained implementation).
 */
export function slackSignatureVerifier(signingSecret: string, now: () => number = Date.now) {
  return (request: SignedRequest): boolean => {
    if (!request.signature || !request.timestamp || !/^\d+$/.test(request.timestamp)) return false;
    const timestamp = Number(request.timestamp);
    // bolt only rejects old timestamps; one from the future is as suspect as one from the past.
    if (timestamp * 1000 > now() + 5 * 60_000) return false;
    return isValidSlackRequest({
      signingSecret,
      body: request.rawBody,
      headers: { 'x-slack-signature': request.signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: now(),
    });
  };
}
