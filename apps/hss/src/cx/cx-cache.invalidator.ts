import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { Observable, finalize } from 'rxjs';
import { CxStore } from './cx-store';

/** Methods that never change provisioned data (RFC 9110 §9.2.1 safe methods). */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Clears the Cx identity cache (CxIdentityCache) around every REST request that may change
 * the database: before its handler runs and again once it has finished, failed or not, so a
 * Cx request after the REST answer always reads what the operator wrote, including changes
 * to a subscriber who is registered at that moment. Installed for every controller of the
 * application (APP_INTERCEPTOR in CxModule).
 */
@Injectable()
export class CxCacheInvalidator implements NestInterceptor {
  constructor(private readonly store: CxStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const method = context.switchToHttp().getRequest<Request>().method;
    if (SAFE.has(method)) return next.handle();
    this.store.invalidate();
    return next.handle().pipe(finalize(() => this.store.invalidate()));
  }
}
