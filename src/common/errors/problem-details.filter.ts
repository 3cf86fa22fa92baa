import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from './domain-error';
import { ErrorCode } from './error-codes';
import { codeForStatus } from './problem-catalog';
import { buildProblem, PROBLEM_CONTENT_TYPE, ProblemDetails, problemHeaders } from './problem-details';

/** Fastify errors that Nest wraps in an HttpException, with the code and wording we answer with. */
const FASTIFY_ERRORS: Record<string, { code: ErrorCode; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: ErrorCode.BadRequest, detail: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: ErrorCode.BadRequest, detail: 'The request body is empty but declared as JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: ErrorCode.PayloadTooLarge, detail: 'The request body exceeds the size limit of this route' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: ErrorCode.UnsupportedMediaType, detail: 'Send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: ErrorCode.BadRequest, detail: 'Content-Length does not match the body' },
};

/** SQLSTATE of a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

/**
 * The one exception filter: every error leaves as application/problem+json (RFC 9457).
 * Unknown errors become a 500 whose body carries no stack, SQL or message of the cause.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const context = { instance: request.url, correlationId: String(request.id) };

    const passthrough = this.passthroughBody(exception);
    if (passthrough) {
      void reply.status(passthrough.status).send(passthrough.body);
      return;
    }

    // The client went away (it hung up in the middle of its body): its business, not a fault of ours.
    if ((exception as { code?: string }).code === 'ECONNRESET' || request.raw.readableAborted) {
      this.logger.log({ correlationId: context.correlationId }, `The client went away before the request was complete (${(exception as Error).message})`);
      return;
    }
    const problem = this.toProblem(exception, context);
    if (problem.code === ErrorCode.RequestTimeout) {
      this.logger.warn({ correlationId: context.correlationId }, problem.detail);
    } else if (problem.status >= 500) {
      this.logger.error({ err: exception, correlationId: context.correlationId }, 'Request failed');
    }
    if (problem.code === ErrorCode.Unauthenticated) {
      void reply.header('WWW-Authenticate', 'Bearer realm="agent-ledger"');
    }
    void reply.headers(problemHeaders(problem)).status(problem.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(problem);
  }

  toProblem(exception: unknown, context: { instance: string; correlationId: string }): ProblemDetails {
    if (exception instanceof DomainError) {
      return buildProblem(exception.code, exception.message, { ...context, extensions: exception.extensions });
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const fastifyCode = (exception.cause as { code?: string } | undefined)?.code;
      const known = fastifyCode ? FASTIFY_ERRORS[fastifyCode] : undefined;
      if (known) return buildProblem(known.code, known.detail, { ...context, status });
      const code = codeForStatus(status);
      const detail = status >= 500 ? 'An unexpected error occurred' : this.httpExceptionDetail(exception, status, context.instance);
      return buildProblem(code, detail, { ...context, status });
    }
    if ((exception as { driverError?: { code?: string } }).driverError?.code === QUERY_CANCELED) {
      return buildProblem(
        ErrorCode.RequestTimeout,
        'A statement of the request ran past DATABASE_STATEMENT_TIMEOUT_MS and was cancelled; its transaction rolled back, so nothing changed and it is safe to retry',
        context,
      );
    }
    return buildProblem(ErrorCode.Internal, 'An unexpected error occurred; quote the correlation id when reporting it', context);
  }

  /** Terminus answers 503 with a structured health report, which must reach the client as it is. */
  private passthroughBody(exception: unknown): { status: number; body: object } | undefined {
    if (!(exception instanceof HttpException) || exception.getStatus() !== HttpStatus.SERVICE_UNAVAILABLE) return undefined;
    const body = exception.getResponse();
    if (typeof body === 'object' && body !== null && 'status' in body && ('info' in body || 'error' in body)) {
      return { status: HttpStatus.SERVICE_UNAVAILABLE, body };
    }
    return undefined;
  }

  private httpExceptionDetail(exception: HttpException, status: number, url: string): string {
    if (status === HttpStatus.NOT_FOUND) return `No route matches ${url}`;
    const body = exception.getResponse();
    const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
    if (Array.isArray(message)) return message.join('; ');
    return typeof message === 'string' ? message : exception.message;
  }
}
