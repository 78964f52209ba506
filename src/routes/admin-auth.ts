/**
 * Admin authentication: `Authorization: Bearer <token>` checked by @fastify/bearer-auth against
 * the configured admins; the admin's id is put on the request for audit (who published what).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import bearerAuth from '@fastify/bearer-auth';
import { timingSafeEqual } from 'node:crypto';

/** An admin as configured. */
export interface AdminAccount {
  readonly id: string;
  readonly name: string;
  readonly token: string;
}

const ADMIN = Symbol('admin');

/** Guard every route of `app` (an encapsulated plugin scope) with the admin bearer token. Failures answer 401. */
export async function requireAdmin(app: FastifyInstance, admins: readonly AdminAccount[]): Promise<void> {
  await app.register(bearerAuth, {
    keys: new Set<string>(),
    auth: (key: string, request: FastifyRequest) => {
      const given = Buffer.from(key);
      const admin = admins.find((a) => {
        const want = Buffer.from(a.token);
        return want.length === given.length && timingSafeEqual(want, given);
      });
      if (admin) (request as unknown as Record<symbol, AdminAccount>)[ADMIN] = admin;
      return admin !== undefined;
    },
    errorResponse: (error: Error) => ({ error: 'unauthorized', message: error.message }),
  });
}

/** The authenticated admin's id (for audit); `unknown` outside a guarded scope. */
export function adminOf(request: FastifyRequest): string {
  return (request as unknown as Record<symbol, AdminAccount | undefined>)[ADMIN]?.id ?? 'unknown';
}
