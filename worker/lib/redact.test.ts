/** Paths in log lines never carry a webhook secret. */
import { describe, expect, it } from "vitest";
import { loggablePath } from "./redact";

describe("loggablePath", () => {
  it("blanks the secret of a webhook URL and drops the query", () => {
    expect(loggablePath("https://t.example/webhook/3f1c1a4e-2b8f-4a59-9a43-8b8a7f0f5d21/s3cr3t-value?wait=100")).toBe("/webhook/3f1c1a4e-2b8f-4a59-9a43-8b8a7f0f5d21/[secret]");
    expect(loggablePath("/webhook/3f1c1a4e-2b8f-4a59-9a43-8b8a7f0f5d21")).toBe("/webhook/3f1c1a4e-2b8f-4a59-9a43-8b8a7f0f5d21");
    expect(loggablePath("/api/strategies")).toBe("/api/strategies");
  });
});
