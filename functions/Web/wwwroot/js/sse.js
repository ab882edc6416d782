// Server-sent events over fetch: EventSource can only GET and cannot send an
// Authorization header, so we POST with fetch and parse the stream ourselves.
//
// Format (https://html.spec.whatwg.org/multipage/server-sent-events.html):
//   lines end with \n, \r\n or \r; a blank line dispatches the event;
//   "event: x" sets the type (default "message"), each "data: y" adds a line,
//   lines starting with ":" are comments (keep-alives).

/**
 * Read SSE events from a ReadableStream of bytes.
 *   for await (const { event, data } of readEvents(response.body)) { … }
 * `data` is the raw string (several data lines joined with "\n").
 */
export async function* readEvents(stream) {
  const reader = stream.getReader();
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let event = { type: '', data: [], id: '' };

  function* takeLines(final) {
    // Split complete lines off the buffer. A trailing "\r" may be half of "\r\n",
    // so keep it until more data (or the end) arrives.
    for (;;) {
      const match = /\r\n|\n|\r/.exec(buffer);
      if (!match) break;
      if (match[0] === '\r' && match.index === buffer.length - 1 && !final) break;
      yield buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
    }
  }

  function* handle(line) {
    if (line === '') {
      if (event.data.length > 0 || event.type) {
        yield { event: event.type || 'message', data: event.data.join('\n'), id: event.id };
      }
      event = { type: '', data: [], id: '' };
      return;
    }
    if (line.startsWith(':')) return; // comment
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'event') event.type = value;
    else if (name === 'data') event.data.push(value);
    else if (name === 'id') event.id = value;
    // "retry" and unknown fields are ignored.
  }

  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) { finished = true; break; }
      buffer += decoder.decode(value, { stream: true });
      for (const line of takeLines(false)) yield* handle(line);
    }
    buffer += decoder.decode();
    for (const line of takeLines(true)) yield* handle(line);
    // A stream that ends without a final blank line still delivers its last event.
    if (buffer) yield* handle(buffer);
    yield* handle('');
  } finally {
    // The consumer stopped early (break / abort): close the connection.
    if (!finished) reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
}

/** Parse an event's data as JSON; returns `fallback` when it is not JSON. */
export function jsonData(data, fallback = null) {
  if (data === '' || data === undefined) return fallback;
  try {
    return JSON.parse(data);
  } catch {
    return fallback;
  }
}
