/**
 * Fault injection for the platform API: errors, hangs, rate limiting, latency and corrupted order
 * documents, so the importer's retry and blocking paths can be exercised on purpose.
 */
import { hash32 } from './random';

export interface FaultSettings {
  /** Share of platform requests answered 500 or 503. */
  errorRate: number;
  /** Share of platform requests that never get an answer (the client has to give up). */
  timeoutRate: number;
  /** Added to every platform request, in milliseconds. */
  latencyMs: number;
  /** Share of orders whose Get order answer is corrupted (always the same orders, see isMalformed). */
  malformedRate: number;
  /** Share of platform requests answered 429 with Retry-After: 1. */
  rateLimitRate: number;
  /** Orders whose Get order never gets an answer: a document a worker cannot get through, on purpose. */
  hangOrderIds: string[];
}

export const NO_FAULTS: FaultSettings = {
  errorRate: 0,
  timeoutRate: 0,
  latencyMs: 0,
  malformedRate: 0,
  rateLimitRate: 0,
  hangOrderIds: [],
};

const RATES = ['errorRate', 'timeoutRate', 'malformedRate', 'rateLimitRate'] as const;
const MAX_LATENCY_MS = 120_000;

/** Parses a faults body: every field optional (missing = 0); an error text for bad values. */
export function parseFaults(body: unknown): FaultSettings | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const input = body as Record<string, unknown>;
  const known = new Set<string>([...RATES, 'latencyMs', 'hangOrderIds']);
  // Unknown fields are refused: a typo ("errorrate") must not silently mean "no faults".
  const unknown = Object.keys(input).filter((k) => !known.has(k));
  if (unknown.length) return `unknown fault settings: ${unknown.join(', ')}`;
  const out: FaultSettings = { ...NO_FAULTS, hangOrderIds: [] };
  const hang = input.hangOrderIds;
  if (hang !== undefined) {
    if (!Array.isArray(hang) || hang.length > 100 || !hang.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 100)) {
      return 'hangOrderIds must be a list of at most 100 order ids';
    }
    out.hangOrderIds = hang as string[];
  }
  for (const key of RATES) {
    const v = input[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) return `${key} must be a number from 0 to 1`;
    out[key] = v;
  }
  const latency = input.latencyMs;
  if (latency !== undefined) {
    if (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0 || latency > MAX_LATENCY_MS) {
      return `latencyMs must be a number from 0 to ${MAX_LATENCY_MS}`;
    }
    out.latencyMs = latency;
  }
  return out;
}

/**
 * Whether an order is served malformed under `rate`. Decided by the order id, not by a draw,
 * so the same order is malformed on every read: a retry does not fix it, as with a real bad
 * document, and the importer must block it rather than loop.
 */
export function isMalformed(orderId: string, rate: number): boolean {
  return rate > 0 && hash32(`malformed:${orderId}`) / 4294967296 < rate;
}

/**
 * A corrupted copy of the document, also chosen by the order id: either `clientProfileData` is
 * null or `items` is not an array. Both break the contract's schema and any sane mapper.
 */
export function corruptOrder(orderId: string, doc: Record<string, unknown>): Record<string, unknown> {
  if (hash32(`corrupt:${orderId}`) % 2 === 0) return { ...doc, clientProfileData: null };
  return { ...doc, items: 'not-an-array' };
}
