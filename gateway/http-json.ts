// JSON over uWebSockets.js HTTP: replies, `{error:{code,message}}` errors with a 4xx/5xx status and
// never a stack trace, and request bodies read with a size limit. uWS responses must be marked
// aborted-aware before any await and written inside `cork` afterwards; these helpers do both.
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { Logger } from 'pino';

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: '200 OK',
  201: '201 Created',
  204: '204 No Content',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  426: '426 Upgrade Required',
  409: '409 Conflict',
  411: '411 Length Required',
  413: '413 Payload Too Large',
  415: '415 Unsupported Media Type',
  423: '423 Locked',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

/** An error a handler throws to answer with a given status; its message goes to the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions & { retryAfterSeconds?: number; details?: Readonly<Record<string, unknown>>; logAsWarning?: boolean },
  ) {
    super(message, options);
    this.name = 'HttpError';
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.details = options?.details;
    this.logAsWarning = options?.logAsWarning ?? false;
  }

  /** Sent as Retry-After (429, 503). */
  readonly retryAfterSeconds: number | undefined;
  /** More fields of the error object, beside code and message, for clients to read rather than parse the message. */
  readonly details: Readonly<Record<string, unknown>> | undefined;
  /**
   * Logged once as a warning when answered, with its cause's message and no stack: an outage the
   * operator should see (NATS not answering, nats-errors.ts), which is no bug of the gateway.
   */
  readonly logAsWarning: boolean;
}

export interface JsonRequest {
  method: string;
  url: string;
  query: string;
  /** The query string's parameters, decoded; set for a route's handler from those it declares (JsonRoute.query). */
  queryParams: ReadonlyMap<string, string>;
  /** Route parameters in pattern order (`/hits/:id` → [id]). */
  params: string[];
  /** Lower-case header names. */
  headers: Readonly<Record<string, string>>;
  /** The peer's IP address as text (the reverse proxy's, when there is one). */
  remoteAddress: string;
  /** Parsed JSON body; undefined for a request without one. */
  body: unknown;
}

export interface JsonReply {
  status: number;
  body?: unknown;
  /**
   * Sent as is with this content type instead of JSON (e.g. Prometheus text). With a `filename`
   * it is a download (Content-Disposition: attachment), as package files and reports are.
   */
  text?: { contentType: string; body: string; filename?: string };
}

export type JsonHandler = (request: JsonRequest) => JsonReply | Promise<JsonReply>;

export interface JsonRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'del';
  /** uWS pattern, e.g. `/api/v1/hits/:id`. */
  pattern: string;
  handler: JsonHandler;
  /**
   * The query-string parameters the route reads. The gateway refuses any other, and one given
   * twice, with 400 before the handler runs: a misspelt filter must never look applied, and a
   * route that reads no query cannot forget to say so. @default none
   */
  query?: RouteQuery;
  /**
   * A body the route also takes as plain text, up to its own limit: a hot list's daily download
   * is tens of MB, far over the JSON limit, and as JSON it would be held in memory three times.
   * The handler then gets the text as `request.body` (a string).
   */
  textBody?: TextBody;
}

export interface TextBody {
  /** Content types taken as text (compared without parameters such as charset). */
  contentTypes: readonly string[];
  maxBytes: number;
  /**
   * Who may send such a body, checked before any of it is read (throws an HttpError: 401, 403).
   * A body this large read first and refused after cost hundreds of MB per anonymous request
   * (security review: four at once took the process from 0.4 to 2.2 GB).
   */
  admit(request: JsonRequest): Promise<void>;
  /** Such bodies read at once by this route; one more is answered 503 at once. @default 2 */
  maxInFlight?: number;
  /**
   * The handler gets the body's bytes (a Uint8Array owning its buffer), not text: checking and
   * decoding them is its own, off the main thread if it likes (a hot list file: decoding 119 MB
   * here held every read and console for 0.3 s). @default false
   */
  raw?: boolean;
}

/** TextBody.maxInFlight's default: a department loads its lists one at a time. */
export const DEFAULT_TEXT_BODIES_IN_FLIGHT = 2;

export interface RouteQuery {
  names: readonly string[];
  /** The `code` of the 400. @default 'BAD_REQUEST' */
  code?: string;
  /** Appended to the 400's message, e.g. where the thing asked for is taken instead. */
  hint?: string;
}

export function statusLine(status: number): string {
  return STATUS_TEXT[status] ?? `${status} Status`;
}

/**
 * An HTML document the API serves (a report) is opened from the gateway's own origin, so it runs
 * with no script, no outside fetch and in a sandbox: text of users in it can never act as the
 * signed-in console. Inline styles are its own.
 */
export const DOCUMENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

/** `attachment; filename=…` for a download, with a plain ASCII name and the exact name in UTF-8 (RFC 6266). */
export function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function writeJson(res: HttpResponse, status: number, body: unknown, closeConnection = false, extraHeaders: Readonly<Record<string, string>> = {}): void {
  res.writeStatus(statusLine(status)).writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store').writeHeader('x-content-type-options', 'nosniff');
  for (const [name, value] of Object.entries(extraHeaders)) res.writeHeader(name, value);
  res.end(JSON.stringify(body), closeConnection);
}

export function writeError(
  res: HttpResponse, status: number, code: string, message: string, closeConnection = false, extraHeaders?: Readonly<Record<string, string>>,
  details?: Readonly<Record<string, unknown>>,
): void {
  writeJson(res, status, { error: { ...details, code, message } }, closeConnection, extraHeaders);
}

/**
 * Wraps a handler for uWS: collects the request before the first await, enforces the body limit
 * (from Content-Length up front, and again while streaming), parses JSON, and turns thrown
 * errors into JSON replies (HttpError as given, anything else as a logged 500).
 */
export function jsonEndpoint(handler: JsonHandler, maxBodyBytes: number, logger: Logger, textBody?: TextBody) {
  let textBodiesInFlight = 0;
  return (res: HttpResponse, req: HttpRequest): void => {
    let aborted = false;
    /** Gives back this request's place among the route's text bodies in flight; once. */
    let releaseTextSlot: (() => void) | undefined;
    /**
     * uWS re-arms its 10 s idle limit on resume and clears it only as the body's last chunk comes.
     * A body that came whole with its headers (a small file: most loads) had come before admission,
     * so resuming then left the handler 10 s: a load still waiting for its version to be in force
     * had its connection closed under it, and the client saw "other side closed" with no answer
     * (a flaky CI run). Such a socket stays paused, with no limit, until its reply is written.
     */
    let pausedUntilReply = false;
    const resumeBeforeReply = (): void => {
      if (!pausedUntilReply) return;
      pausedUntilReply = false;
      res.resume();
    };
    res.onAborted(() => {
      aborted = true;
      releaseTextSlot?.();
    });
    const headers: Record<string, string> = {};
    req.forEach((key, value) => {
      headers[key] = value;
    });
    const params: string[] = [];
    for (let i = 0; ; i++) {
      const p = req.getParameter(i);
      if (p === undefined || p === '') break;
      params.push(p);
    }
    const method = req.getMethod();
    const remoteAddress = Buffer.from(res.getRemoteAddressAsText()).toString();
    const request: JsonRequest = { method, url: req.getUrl(), query: req.getQuery() ?? '', queryParams: new Map(), params, headers, remoteAddress, body: undefined };
    const answer = (reply: JsonReply): void => {
      if (aborted) return;
      res.cork(() => {
        resumeBeforeReply();
        // no-store on every reply: package files and reports are ALPR data, and no proxy or browser cache may keep them.
        if (reply.text !== undefined) {
          const { contentType, body, filename } = reply.text;
          res.writeStatus(statusLine(reply.status)).writeHeader('content-type', contentType).writeHeader('cache-control', 'no-store').writeHeader('x-content-type-options', 'nosniff');
          if (contentType.toLowerCase().startsWith('text/html')) res.writeHeader('content-security-policy', DOCUMENT_SECURITY_POLICY);
          if (filename !== undefined) res.writeHeader('content-disposition', attachment(filename));
          res.end(body);
        } else if (reply.body === undefined) res.writeStatus(statusLine(reply.status)).writeHeader('cache-control', 'no-store').writeHeader('x-content-type-options', 'nosniff').end();
        else writeJson(res, reply.status, reply.body);
      });
    };
    let bodyUnread = false;
    const fail = (error: unknown): void => {
      if (aborted) return;
      const isHttp = error instanceof HttpError;
      if (!isHttp) logger.error({ err: error, method, url: request.url }, 'request failed');
      else if (error.logAsWarning) {
        const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : undefined;
        logger.warn({ code: error.code, status: error.status, method, url: request.url, ...(cause === undefined ? {} : { cause }) }, error.message);
      }
      res.cork(() => {
        resumeBeforeReply();
        if (isHttp) {
          const extra = error.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(error.retryAfterSeconds) };
          // A body refused before it was read whole leaves the rest on the connection: close it.
          writeError(res, error.status, error.code, error.message, error.status === 413 || bodyUnread, extra, error.details);
        }
        else writeError(res, 500, 'INTERNAL', 'the gateway could not complete the request; it has been logged');
      });
    };
    const run = (): Promise<void> => {
      try {
        return Promise.resolve(handler(request)).then(answer, fail);
      } catch (error) {
        fail(error);
        return Promise.resolve();
      }
    };
    const hasBody = method !== 'get' && method !== 'head' && method !== 'del';
    if (!hasBody) {
      void run();
      return;
    }
    const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const asText = textBody !== undefined && textBody.contentTypes.includes(type);
    const limit = asText ? textBody.maxBytes : maxBodyBytes;
    const declared = headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      fail(new HttpError(413, 'BODY_TOO_LARGE', `request body is ${declared} bytes; at most ${limit} are accepted${asText ? '' : ' as JSON'}`));
      return;
    }
    const parse = (bytes: Uint8Array): Promise<void> => {
      if (asText && textBody.raw === true) request.body = bytes;
      else if (asText) {
        try {
          request.body = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          throw new HttpError(400, 'BAD_TEXT', 'request body is not UTF-8 text');
        }
      } else if (bytes.length > 0) {
        if (type !== 'application/json') {
          const taken = ['application/json', ...(textBody?.contentTypes ?? [])].join(', ');
          throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `request bodies must be ${taken}`);
        }
        try {
          request.body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), refuseLoneSurrogates);
        } catch (error) {
          if (error instanceof HttpError) throw error;
          throw new HttpError(400, 'BAD_JSON', 'request body is not valid JSON');
        }
      }
      return run();
    };
    if (!asText) {
      readBody(res, { maxBytes: limit }).then(parse).catch(fail);
      return;
    }
    const expected = declared === undefined ? undefined : Number(declared);
    const maxInFlight = textBody.maxInFlight ?? DEFAULT_TEXT_BODIES_IN_FLIGHT;
    // uWS hands a body only to an onData attached before the handler returns: attach it now, and
    // hold the socket (pause) until the sender is admitted, so nothing of a refused body is read.
    bodyUnread = true;
    let discard = false;
    let bodyWhole = false;
    const reading = readBody(res, {
      maxBytes: limit, discarding: () => discard, expectedBytes: Number.isSafeInteger(expected) ? expected : undefined, onLast: () => (bodyWhole = true),
    });
    res.pause();
    const resumeReading = (): void => {
      if (bodyWhole) pausedUntilReply = true;
      else res.resume();
    };
    textBody
      .admit(request)
      .then(() => {
        if (aborted) return undefined;
        // Only admitted senders take a place: counted before admission, anyone with a made-up
        // token kept both places taken and the daily load got 503 (verification QA).
        if (textBodiesInFlight >= maxInFlight) {
          // Read and dropped, not cut off: a client still sending when the connection closed saw
          // only "fetch failed", never this answer (the CLI then called a running system stale).
          discard = true;
          bodyUnread = false;
          resumeReading();
          throw new HttpError(503, 'BUSY', `${maxInFlight} uploads to this endpoint are under way; send it again once one has finished`, { retryAfterSeconds: 5 });
        }
        textBodiesInFlight++;
        let released = false;
        releaseTextSlot = () => {
          if (released) return;
          released = true;
          textBodiesInFlight--;
        };
        resumeReading();
        return reading.then((bytes) => {
          bodyUnread = false;
          return parse(bytes);
        });
      })
      .catch(fail)
      .finally(() => releaseTextSlot?.());
  };
}

// With the u flag a surrogate pair is one code point, so this matches only a lone half.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * JSON may escape half a UTF-16 pair (`"\ud800"`), which is no Unicode text: ClickHouse refuses
 * it, so a search's access log record could not be written. Such a body is refused whole.
 */
function refuseLoneSurrogates(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && LONE_SURROGATE.test(value)) {
    throw new HttpError(400, 'BAD_JSON', 'request body holds text that is not valid Unicode (an unpaired surrogate escape such as "\\ud800")');
  }
  return value;
}

export interface BodyReading {
  /** Past this the body is refused with 413. */
  maxBytes: number;
  /** While this says so, chunks are dropped as they come (a body already answered), and it resolves empty. @default never */
  discarding?: () => boolean;
  /**
   * The body's Content-Length: each chunk is copied straight into bytes of that size as it comes
   * (collected and concatenated at the end, a 119 MB body held the main thread 0.35 s).
   */
  expectedBytes?: number;
  /**
   * Called as the last chunk comes, read or dropped, before the promise settles: whether uWS has
   * seen the whole body must be known in the same tick (jsonEndpoint's pausedUntilReply).
   */
  onLast?: () => void;
}

/** Collects a request body, refusing it with 413 once it passes its limit. */
export function readBody(res: HttpResponse, reading: BodyReading): Promise<Uint8Array> {
  const { maxBytes, discarding = () => false, expectedBytes, onLast } = reading;
  return new Promise((resolve, reject) => {
    let whole = expectedBytes !== undefined && expectedBytes > 0 && expectedBytes <= maxBytes ? new Uint8Array(expectedBytes) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    res.onData((chunk, isLast) => {
      if (isLast) onLast?.();
      if (refused) return;
      if (discarding()) {
        if (isLast) resolve(new Uint8Array(0));
        return;
      }
      if (size + chunk.byteLength > maxBytes) {
        refused = true;
        reject(new HttpError(413, 'BODY_TOO_LARGE', `request body exceeds ${maxBytes} bytes`));
        return;
      }
      // uWS reuses the chunk's memory after this callback returns, so copy it.
      if (whole !== undefined && size + chunk.byteLength <= whole.byteLength) whole.set(new Uint8Array(chunk), size);
      else {
        // No Content-Length (a chunked body), or past it: collected, and put together at the end.
        if (whole !== undefined) {
          chunks.push(Buffer.from(whole.buffer, 0, size));
          whole = undefined;
        }
        chunks.push(Buffer.from(new Uint8Array(chunk)));
      }
      size += chunk.byteLength;
      if (!isLast) return;
      if (whole !== undefined) resolve(size === whole.byteLength ? whole : whole.slice(0, size));
      else {
        // A small concat is a view of Node's shared pool: copied only then, so the bytes are their own.
        const joined = Buffer.concat(chunks, size);
        resolve(joined.byteOffset === 0 && joined.byteLength === joined.buffer.byteLength ? joined : new Uint8Array(joined));
      }
    });
  });
}
