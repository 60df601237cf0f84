/**
 * One actionable sentence per failed connection test, derived from the
 * BrokerError's stable code (each plugin's error table supplies codes such
 * as `invalid-credentials`, `permission-denied`, `wrong-environment`) and,
 * failing a known code, from its kind. The broker's own wording stays in the
 * log; the trader gets what to do next.
 *
 * @module
 */
import { isBrokerError, type BrokerError } from "../../plugins/sdk";

export interface TestFailure {
  /** Stable code (the BrokerError's, or the core's own). */
  messageCode: string;
  /** One sentence: what is wrong and what to do. */
  message: string;
  /** The connection status it leads to. */
  status: "error" | "expired";
}

interface Subject {
  /** The broker's display name. */
  broker: string;
  environment: "paper" | "live";
  /** Whether the connection sends to a `settings.baseUrl` override. */
  hasBaseUrl: boolean;
}

const ENV_LABEL = { paper: "paper (practice/sandbox)", live: "live" } as const;

/** The first sentence of a broker message, ending with a period, never empty. */
function firstSentence(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, " ");
  const cut = /^(.*?[.!?])(\s|$)/.exec(trimmed)?.[1] ?? trimmed;
  const sentence = cut.replace(/[.!?]+$/, "");
  return sentence === "" ? "no reason given" : sentence.charAt(0).toLowerCase() + sentence.slice(1);
}

type Template = (s: Subject, e: BrokerError) => string;

/** By code: what the trader does about it. */
export const TEST_MESSAGES: Readonly<Record<string, Template>> = {
  "invalid-credentials": (s) => `${s.broker} rejected the credentials, so check that you pasted the whole key for this account or create a new one and reconnect.`,
  "auth-failed": (s) => `${s.broker} no longer accepts these credentials (revoked or expired), so create new ones and reconnect.`,
  "wrong-environment": (s) => {
    const other = s.environment === "live" ? "paper" : "live";
    return `These credentials belong to ${s.broker}'s ${ENV_LABEL[other]} environment, so switch the connection's environment to ${other} or use ${ENV_LABEL[s.environment]} credentials.`;
  },
  "permission-denied": (s) => `${s.broker} accepted the key but it lacks the permission to trade, so create a key with trading enabled and reconnect.`,
  "no-usable-account": (s) => `${s.broker} reports no account these credentials can trade, so open or enable one at ${s.broker} and test again.`,
  "rate-limited": (s) => `${s.broker} is limiting requests right now, so wait a minute and test again.`,
  "broker-maintenance": (s) => `${s.broker} is in maintenance right now, so test again once it is over.`,
  "broker-unavailable": (s) => `${s.broker} is unavailable right now, so check its status page and test again later.`,
  "broker-timeout": (s) => `${s.broker} did not answer in time, so ${s.hasBaseUrl ? "check the connection's base URL and " : ""}test again shortly.`,
  "broker-unreachable": (s) => `${s.broker} could not be reached, so ${s.hasBaseUrl ? "check the connection's base URL and " : "check the broker's status page and "}test again.`,
  "invalid-settings": (_s, e) => `A setting of this connection is invalid (${firstSentence(e.message)}), so correct it and test again.`,
  "undeclared-host": (s) =>
    `This connection's base URL is not one of ${s.broker}'s own hosts, so Tradeloop refuses to send it your credentials; remove the base URL and enter the credentials again.`,
  "unknown-broker": () => "This connection's broker is no longer installed on this Tradeloop, so ask the operator to install it again or delete the connection.",
};

/** By kind, for codes the table does not know. */
const BY_KIND: Readonly<Record<BrokerError["kind"], Template>> = {
  "auth-expired": TEST_MESSAGES["auth-failed"]!,
  retryable: (s) => `${s.broker} could not complete the test right now, so test again in a minute.`,
  "outcome-unknown": (s) => `${s.broker} could not complete the test right now, so test again in a minute.`,
  rejected: (s, e) => `${s.broker} refused the test (${e.code}: ${firstSentence(e.message)}), so fix that at ${s.broker} and test again.`,
  unsupported: (s, e) => `${s.broker} cannot be used this way (${firstSentence(e.message)}), so check the connection's settings.`,
};

/** Maps any failure of a connection test to a code, one sentence and the status it leads to. */
export function describeTestFailure(subject: Subject, error: unknown): TestFailure {
  if (!isBrokerError(error)) {
    return {
      messageCode: "broker-error",
      message: `${subject.broker} answered the test with something unexpected, so test again shortly and report it if it persists.`,
      status: "error",
    };
  }
  const template = TEST_MESSAGES[error.code] ?? BY_KIND[error.kind];
  return { messageCode: error.code, message: template(subject, error), status: error.kind === "auth-expired" ? "expired" : "error" };
}

/** The failure when the stored credentials cannot be decrypted (their vault key was removed). */
export const CREDENTIALS_UNREADABLE: TestFailure = {
  messageCode: "credentials-unreadable",
  message: "Tradeloop can no longer decrypt this connection's credentials (their vault key was removed), so enter them again.",
  status: "expired",
};
