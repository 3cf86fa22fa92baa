import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import type { onSendHookHandler } from 'fastify';
import { ALL_QUEUES } from './queue-names';

export const BULL_BOARD_ROUTE = '/admin/queues';

/** The `<link>` by which Bull Board's page loads its web fonts from Google. */
const THIRD_PARTY_STYLESHEET = /<link\b[^>]*\bhref="https:\/\/fonts\.(?:googleapis|gstatic)\.com\/[^"]*"[^>]*>\s*/gi;

/**
 * Takes the Google Fonts link out of Bull Board's page: the board must not make a browser call
 * another host (it may have no route to it, and it tells that host who opens the board). The page
 * falls back to the browser's sans-serif and monospace fonts. Attached to the board's routes in create-app.
 */
export const withoutThirdPartyFonts: onSendHookHandler = (_request, reply, payload, done) => {
  const html = typeof payload === 'string' && /^text\/html/.test(String(reply.getHeader('content-type') ?? ''));
  done(null, html ? payload.replace(THIRD_PARTY_STYLESHEET, '') : payload);
};

/** Bull Board for the outbox queues. Its auth is attached in create-app (see adminAuthHook). */
@Module({
  imports: [
    BullBoardModule.forRoot({ route: BULL_BOARD_ROUTE, adapter: FastifyAdapter }),
    BullBoardModule.forFeature(...ALL_QUEUES.map((name) => ({ name, adapter: BullMQAdapter }))),
  ],
})
export class QueueBoardModule {}
