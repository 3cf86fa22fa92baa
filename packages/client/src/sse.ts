/** One Server-Sent Events message. */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/**
 * Reads a `text/event-stream` body (WHATWG rules: `field: value` lines, a blank line ends a message,
 * lines starting with `:` are comments such as heartbeats). `onActivity` is called for every chunk,
 * heartbeats included, so the caller can tell a live connection from a dead one.
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>, onActivity: () => void = () => undefined): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let message: { id?: string; event?: string; data: string[] } = { data: [] };
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    onActivity();
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (message.data.length > 0) yield { id: message.id, event: message.event ?? 'message', data: message.data.join('\n') };
        message = { data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') message.data.push(value);
      else if (field === 'id' && !value.includes('\0')) message.id = value;
      else if (field === 'event') message.event = value;
    }
  }
}
