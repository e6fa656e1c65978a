/** How each injected fault answers a request (see faults.ts for what they mean). */
import type { ServerResponse } from 'node:http';
import { EXPIRED_TOKEN } from './auth.js';
import type { Fault } from './faults.js';
import { type KlingReply, refuse, writeRaw } from './http.js';

export interface FaultIo {
  res: ServerResponse;
  /** Runs the real handler and returns its answer without sending it. */
  act: () => KlingReply;
  /** Sends a Kling answer and records its code. */
  answer: (reply: KlingReply) => void;
  delay: (ms: number) => Promise<void>;
  /** The HTTP status for a code, honouring the configured one for 1303. */
  httpStatusFor: (code: number) => number | undefined;
}

export async function answerWithFault(fault: Fault, io: FaultIo): Promise<void> {
  switch (fault.type) {
    case 'error':
      io.answer(refuse(fault.code, fault.message, fault.httpStatus ?? io.httpStatusFor(fault.code)));
      return;
    case 'lose-response':
      // The work is done (a task may now exist); only the answer is lost.
      io.act();
      if (fault.as === 'error-body') io.answer(refuse(5000));
      else io.res.socket?.destroy();
      return;
    case 'delay':
      await io.delay(fault.ms);
      io.answer(io.act());
      return;
    case 'drop-connection':
      io.res.socket?.destroy();
      return;
    case 'malformed':
      writeMalformed(io.res, fault.variant);
      return;
    case 'expire-token':
      io.answer(refuse(EXPIRED_TOKEN.code, EXPIRED_TOKEN.message));
      return;
  }
}

/** Answers a proxy or a half-written response could produce: complete HTTP, broken body. */
function writeMalformed(res: ServerResponse, variant: 'truncated-json' | 'html' | 'not-envelope'): void {
  switch (variant) {
    case 'truncated-json':
      writeRaw(res, 200, 'application/json', '{"code":0,"message":"SUCCEED","data":{"task_id":"8672');
      return;
    case 'html':
      writeRaw(
        res,
        502,
        'text/html',
        '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
      );
      return;
    case 'not-envelope':
      writeRaw(res, 200, 'application/json', '{"status":"success","result":[]}');
      return;
  }
}
