/**
 * The request pipeline: record → read body → control or media routes → Kling route → auth →
 * injected fault → handler. Every answer on a Kling route is the envelope; nothing a client sends
 * can crash the process.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Authenticator } from './auth.js';
import type { KlingHandler, KlingRequest, SimulatorContext } from './context.js';
import { type ControlApi, handleControl } from './control-routes.js';
import { answerWithFault } from './fault-responses.js';
import type { FaultQueue, RouteTarget } from './faults.js';
import { type KlingReply, MAX_BODY_BYTES, parseJson, readBody, refuse, writeReply } from './http.js';
import { matchKlingRoute } from './kling-routes.js';
import { serveMedia } from './media.js';
import type { TimerSet } from './timers.js';
import { Refusal } from './validation-fields.js';

export interface SimulatedRequest {
  method: string;
  /** Without the path prefix and without the query. */
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  /** Parsed JSON; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** ms since the epoch, on arrival. */
  at: number;
  /** The Kling body code answered, when any. */
  answeredCode?: number;
}

export interface ServerDeps {
  ctx: SimulatorContext;
  control: ControlApi;
  faults: FaultQueue;
  authenticate: Authenticator;
  timers: TimerSet;
  requests: SimulatedRequest[];
}

export function createRequestListener(deps: ServerDeps): RequestListener {
  return (req, res) => {
    res.on('error', () => {});
    handle(deps, req, res).catch((error: unknown) => {
      deps.ctx.options.logger.error({ err: error }, 'simulator failed to answer a request');
      if (res.headersSent) res.destroy();
      else writeReply(res, refuse(5000));
    });
  };
}

/** Bounds memory in a long-running simulator: bodies can weigh megabytes. */
const MAX_RECORDED_REQUESTS = 10_000;

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { ctx } = deps;
  const method = req.method ?? 'GET';
  const url = parseTarget(req.url ?? '/');
  const query = Object.fromEntries(url.searchParams);
  const prefix = ctx.options.pathPrefix;
  const inPrefix = prefix === '' || url.pathname === prefix || url.pathname.startsWith(`${prefix}/`);
  const klingPath = inPrefix ? url.pathname.slice(prefix.length) : undefined;
  const authorization = req.headers.authorization;
  const record: SimulatedRequest = {
    method,
    path: klingPath ?? url.pathname,
    query,
    authorization,
    body: undefined,
    at: Date.now(),
  };
  deps.requests.push(record);
  if (deps.requests.length > MAX_RECORDED_REQUESTS) deps.requests.shift();
  ctx.options.logger.debug({ method, path: url.pathname }, 'simulator request');

  const answer = (reply: KlingReply) => {
    record.answeredCode = reply.code;
    writeReply(res, reply);
  };
  const read = await readBody(req, MAX_BODY_BYTES);
  if (read.kind === 'aborted') return;
  if (read.kind === 'too-large') return answer(refuse(1200, 'request body must not exceed 50 MB', 413));
  const parsed = parseJson(read.text);
  record.body = parsed.ok ? parsed.value : read.text;

  if (handleControl(deps.control, method, url.pathname, record.body, res)) return;
  if (serveMedia(ctx, method, url.pathname, res)) return;
  const route =
    klingPath === undefined ? { kind: 'not-found' as const } : matchKlingRoute(method, klingPath, query);
  if (route.kind === 'not-found') return answer(refuse(1203, `resource ${url.pathname} does not exist`));
  if (route.kind === 'wrong-method') return answer(refuse(1202, `method ${method} is not allowed here`));
  const request = { body: parsed.ok ? parsed.value : BROKEN_JSON, query, id: route.id, authorization };
  await handleKling(deps, res, { ...route, answer }, request);
}

/** Marks a body that did not parse, so only routes that read a body refuse it. */
const BROKEN_JSON = Symbol('broken JSON');

/** Auth, then an injected fault if one is queued for this route, else the handler. */
async function handleKling(
  deps: ServerDeps,
  res: ServerResponse,
  route: { target: RouteTarget; handler: KlingHandler; answer: (reply: KlingReply) => void },
  request: Omit<KlingRequest, 'account'> & { authorization: string | undefined },
): Promise<void> {
  const { ctx } = deps;
  const { answer } = route;
  const auth = await deps.authenticate(request.authorization);
  if (!auth.ok) return answer(refuse(auth.code, auth.message));

  const httpStatusFor = (code: number) =>
    code === 1303 ? ctx.options.concurrencyErrorHttpStatus : undefined;
  const act = (): KlingReply => {
    if (request.body === BROKEN_JSON) {
      return refuse(1200, 'Invalid request parameters: the body is not valid JSON');
    }
    try {
      return route.handler(ctx, {
        account: auth.account,
        body: request.body,
        query: request.query,
        id: request.id,
      });
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return refuse(error.code, error.message, httpStatusFor(error.code));
    }
  };
  const fault = deps.faults.take(route.target);
  if (fault === undefined) return answer(act());
  ctx.options.logger.info({ target: route.target, fault }, 'simulator injects a fault');
  await answerWithFault(fault, { res, act, answer, delay: (ms) => deps.timers.delay(ms), httpStatusFor });
}

/** The request target as a URL; '//x' stays a path (not a host), and junk becomes '/'. */
function parseTarget(target: string): URL {
  try {
    return new URL(`http://simulator.invalid${target.startsWith('/') ? target : `/${target}`}`);
  } catch {
    return new URL('http://simulator.invalid/');
  }
}
