import type { Page } from 'playwright-core';

/** What VS Code records when an extension has activated (ExtensionActivationTimes), in milliseconds. */
export interface ActivationRecord {
  extensionId: string;
  /** From the start of loading the extension's code to its end: `require` of `main`, after a turn of the event loop. */
  codeLoadingMs: number;
  /** The synchronous part of `activate()`. */
  activateCallMs: number;
  /** From `activate()` returning to the promise it returned settling (the asynchronous part). */
  activateResolvedMs: number;
  activationEvent: string;
  startup: boolean;
}

/**
 * "Activation" as Developer: Show Running Extensions shows it: code loading plus the synchronous activate call
 * (VS Code's AbstractRuntimeExtensionsEditor; the asynchronous part does not hold up the extension host).
 */
export function shownActivationMs(record: ActivationRecord): number {
  return record.codeLoadingMs + record.activateCallMs;
}

const METHOD = Buffer.from('$onDidActivateExtension');
/** Bytes of a frame kept in case a message starts in it and ends in the next. */
const CARRY_LIMIT = 64 * 1024;

/**
 * Collects the activation times that the extension host reports to the workbench. The extension host measures them
 * (ExtHostExtensionService, with Date.now(): whole milliseconds) and sends them over its connection as the RPC
 * `$onDidActivateExtension(id, codeLoadingTime, activateCallTime, activateResolvedTime, reason)`; the workbench
 * keeps them for Show Running Extensions. No extension API exposes them, so they are read here from the page's
 * WebSocket frames, where VS Code's RPC writes a request with JSON arguments as: method name, then a 32-bit
 * big-endian length and that many bytes of JSON (rpcProtocol.ts, MessageIO). This is VS Code's private protocol:
 * a version that changes it makes `records` stay empty, and the benchmark fails loudly rather than guess.
 */
export class ActivationRecords {
  readonly records: ActivationRecord[] = [];

  /** Starts listening; call before the page loads the workbench. */
  constructor(page: Page) {
    page.on('websocket', (socket) => {
      let carry: Buffer = Buffer.alloc(0);
      socket.on('framereceived', ({ payload }) => {
        carry = this.scan(Buffer.concat([carry, typeof payload === 'string' ? Buffer.from(payload) : payload]));
      });
    });
  }

  /** The first record of `extensionId`, if it has arrived. */
  of(extensionId: string): ActivationRecord | undefined {
    return this.records.find((r) => r.extensionId === extensionId);
  }

  /** Parses every whole message in `data`; returns what must be kept for the next frame. */
  private scan(data: Buffer): Buffer {
    let at = 0;
    for (;;) {
      const found = data.indexOf(METHOD, at);
      if (found < 0) break;
      const lengthAt = found + METHOD.length;
      if (lengthAt + 4 > data.length) return Buffer.from(data.subarray(found));
      const end = lengthAt + 4 + data.readUInt32BE(lengthAt);
      if (end > data.length) return end - found <= CARRY_LIMIT ? Buffer.from(data.subarray(found)) : Buffer.alloc(0);
      const record = parseArguments(data.subarray(lengthAt + 4, end).toString('utf8'));
      if (record) this.records.push(record);
      at = end;
    }
    // Keep enough of the end to find a method name cut in two by the frame boundary.
    return Buffer.from(data.subarray(Math.max(at, data.length - METHOD.length + 1)));
  }
}

function parseArguments(json: string): ActivationRecord | undefined {
  try {
    const [id, codeLoading, activateCall, activateResolved, reason] = JSON.parse(json) as [
      { value: string },
      number,
      number,
      number,
      { activationEvent: string; startup: boolean },
    ];
    if (typeof id?.value !== 'string' || ![codeLoading, activateCall, activateResolved].every(Number.isFinite)) return undefined;
    return {
      extensionId: id.value,
      codeLoadingMs: codeLoading,
      activateCallMs: activateCall,
      activateResolvedMs: activateResolved,
      activationEvent: reason?.activationEvent ?? '',
      startup: reason?.startup ?? false,
    };
  } catch {
    return undefined;
  }
}
