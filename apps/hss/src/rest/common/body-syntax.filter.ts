import { ArgumentsHost, BadRequestException, Catch, ExceptionFilter } from '@nestjs/common';

/**
 * A body that is not valid JSON: V8's parse error quotes the start of the text
 * (`Unexpected token 'k', "k=465b5ce8"... is not valid JSON`), which may be a secret. The
 * answer keeps only the position. Every other 400 passes through unchanged.
 */
@Catch(BadRequestException)
export class BodySyntaxFilter implements ExceptionFilter {
  catch(exception: BadRequestException, host: ArgumentsHost): void {
    const res = host
      .switchToHttp()
      .getResponse<{ status(code: number): { json(body: unknown): void } }>();
    if (!(exception.cause instanceof SyntaxError)) {
      res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const at = /position (\d+)/.exec(exception.cause.message);
    res.status(400).json({
      statusCode: 400,
      error: 'Bad Request',
      message: `body is not valid JSON${at ? ` (at position ${at[1]})` : ''}`,
    });
  }
}
