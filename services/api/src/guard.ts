import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem } from './answer.ts';
import type { Scope } from './tokens.ts';

function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The check before every request: the Host must be ours, no other site's page may call, and an /api/ request must
 * bring a token that is known and not revoked; its scope is then the request's.
 */
export function requestGuard(allowedHosts: ReadonlySet<string>, verify: (token: string) => Promise<Scope | undefined>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    request.rows = 0;
    // The Host a browser was sent to: a name that only resolves here through DNS (rebinding) is not ours.
    const hostHeader = (request.headers.host ?? '').toLowerCase();
    const hostName = hostHeader.replace(/:\d+$/, '');
    if (!isLoopbackName(hostName) && !allowedHosts.has(hostName)) {
      return problem(reply, 403, 'Forbidden', `the Host ${hostHeader || '(none)'} is not served here`);
    }
    const origin = request.headers.origin;
    // The dashboard is served by the API itself: any other page's scripts get nothing.
    if (origin !== undefined && origin !== `http://${hostHeader}`) {
      return problem(reply, 403, 'Forbidden', `requests from other sites (Origin ${origin}) are refused`);
    }
    if (!request.url.startsWith('/api/')) return;
    const authorization = request.headers.authorization ?? '';
    const presented = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (presented === undefined) {
      return problem(
        reply,
        401,
        'Unauthorized',
        'send your API token: Authorization: Bearer <token> (pnpm cli tokens create)',
      );
    }
    const scope = await verify(presented);
    if (scope === undefined) {
      return problem(reply, 401, 'Unauthorized', 'this token is unknown or was revoked: ask for a new one');
    }
    request.scope = scope;
  };
}
