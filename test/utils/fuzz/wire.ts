import { NestFastifyApplication } from '@nestjs/platform-fastify';

/** A request as it goes on the wire: raw url (path and query), header values and body text. */
export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
}

/** Sends through Fastify's in-process injection: every hook, parser, guard, pipe and filter of the app, no socket. */
export async function send(app: NestFastifyApplication, request: WireRequest): Promise<WireResponse> {
  const res = await app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: request.headers,
    ...(request.payload === undefined ? {} : { payload: request.payload }),
  });
  return { status: res.statusCode, headers: res.headers, text: res.body };
}

/** Header values as bytes on the wire: a UTF-8 string becomes its bytes, one latin1 character each. */
export function headerBytes(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}

/** The body as JSON, or undefined when it is not JSON. */
export function parseBody(res: WireResponse): unknown {
  try {
    return JSON.parse(res.text);
  } catch {
    return undefined;
  }
}
