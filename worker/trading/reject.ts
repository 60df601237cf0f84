/**
 * Rejections inside the decision core. Helpers deep in the call tree throw a
 * {@link Rejected}; `decide()` catches it and returns the plain
 * {@link Rejection} value, so callers only ever see data.
 *
 * @module
 */
import type { TradeCode, WebhookCode } from "./message-codes";
import type { Rejection } from "./types";

/** Carries a rejection up to `decide()`. Never escapes the trading module. */
export class Rejected extends Error {
  override readonly name = "Rejected";
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
  }
}

/** Builds a rejection value. */
export function rejection(messageCode: TradeCode | WebhookCode, message: string, field?: string): Rejection {
  return field === undefined ? { kind: "reject", messageCode, message } : { kind: "reject", messageCode, message, field };
}

/** Throws a rejection; typed `never` so callers can use it in expressions. */
export function reject(messageCode: TradeCode | WebhookCode, message: string, field?: string): never {
  throw new Rejected(rejection(messageCode, message, field));
}
