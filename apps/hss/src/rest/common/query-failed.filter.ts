import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';

/**
 * Database constraint violations that slipped past the services' own checks become 409, never
 * 500 with SQL in it: the answer names the constraint, not the values (secrets stay inside).
 */
@Catch(QueryFailedError)
export class QueryFailedFilter implements ExceptionFilter {
  private readonly logger = new Logger('Database');

  catch(err: QueryFailedError, host: ArgumentsHost): void {
    const res = host
      .switchToHttp()
      .getResponse<{ status(code: number): { json(body: unknown): void } }>();
    const driver = err.driverError as { code?: string; message?: string } | undefined;
    const code = driver?.code ?? '';
    const text = driver?.message ?? err.message;
    if (/UNIQUE|PRIMARYKEY/.test(code) || code === '23505') {
      res.status(HttpStatus.CONFLICT).json({
        statusCode: 409,
        error: 'Conflict',
        message: `already exists (${constraint(text)})`,
      });
      return;
    }
    if (/FOREIGNKEY/.test(code) || code === '23503') {
      res.status(HttpStatus.CONFLICT).json({
        statusCode: 409,
        error: 'Conflict',
        message: 'still referenced, or refers to something missing',
      });
      return;
    }
    this.logger.error(`query failed: ${code} ${text}`);
    res
      .status(HttpStatus.INTERNAL_SERVER_ERROR)
      .json({ statusCode: 500, error: 'Internal Server Error', message: 'database error' });
  }
}

function constraint(message: string): string {
  const m = /constraint failed: ([\w., ]+)|constraint "([^"]+)"/i.exec(message);
  return (m?.[1] ?? m?.[2] ?? 'unique constraint').trim();
}
