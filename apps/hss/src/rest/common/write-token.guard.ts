import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { hssConfig, type HssConfig } from '../../config';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * When HSS_API_TOKEN is set, every write (POST, PUT, PATCH, DELETE) needs
 * `Authorization: Bearer <token>` (RFC 6750 §2.1); reads stay open.
 */
@Injectable()
export class WriteTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(hssConfig.KEY) config: HssConfig) {
    if (config.apiToken) this.expected = digest(config.apiToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected || context.getType() !== 'http') return true;
    const req = context
      .switchToHttp()
      .getRequest<{ method: string; headers: Record<string, string | undefined> }>();
    if (READS.has(req.method.toUpperCase())) return true;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    // Compare digests so the comparison is constant-time whatever the lengths.
    if (m && timingSafeEqual(digest(m[1]), this.expected)) return true;
    throw new UnauthorizedException('a valid Authorization: Bearer token is required for writes');
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
