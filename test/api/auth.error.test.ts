import { describe, expect, it } from "vitest";
import { api, type ApiErrorJson, signup, uniqueEmail } from "../helpers/api";

function signupWith(json: unknown) {
  return api<ApiErrorJson>("POST", "/api/auth/signup", { json });
}

describe("auth: errors", () => {
  it("a malformed email is 400 invalid-request naming the field", async () => {
    const res = await signupWith({ email: "not-an-email", password: "long enough" });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ messageCode: "invalid-request", message: "email must be a valid email address.", field: "email", requestId: expect.any(String) });
  });

  it("a short password is 400 naming the field and the rule", async () => {
    const res = await signupWith({ email: uniqueEmail(), password: "short" });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe("password");
    expect(res.body.error.message).toBe("password must be at least 8 characters long.");
  });

  it("a missing field says it is required", async () => {
    const res = await signupWith({ email: uniqueEmail() });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ field: "password", message: "password is required." });
  });

  it("a wrong type says which type is expected", async () => {
    const res = await signupWith({ email: uniqueEmail(), password: 12345678 });
    expect(res.body.error).toMatchObject({ field: "password", message: "password must be a string." });
  });

  it("a body that is not an object is refused without a field", async () => {
    const res = await signupWith(["a"]);
    expect(res.status).toBe(400);
    expect(res.body.error.messageCode).toBe("invalid-request");
    expect(res.body.error.field).toBeUndefined();
  });

  it("a taken email is 409 email-taken, whatever its case", async () => {
    const s = await signup();
    const res = await signupWith({ email: s.email.toUpperCase(), password: "another password" });
    expect(res.status).toBe(409);
    expect(res.body.error.messageCode).toBe("email-taken");
  });

  it("wrong password and unknown email get the same 401 invalid-credentials", async () => {
    const s = await signup();
    const wrong = await api<ApiErrorJson>("POST", "/api/auth/login", { json: { email: s.email, password: "wrong password" } });
    const unknown = await api<ApiErrorJson>("POST", "/api/auth/login", { json: { email: uniqueEmail(), password: "whatever1" } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    // Identical apart from each request's own id: nothing tells the two cases apart.
    const withoutRequestId = (body: ApiErrorJson) => ({ error: { ...body.error, requestId: undefined } });
    expect(withoutRequestId(wrong.body)).toEqual(withoutRequestId(unknown.body));
    expect(wrong.body.error.messageCode).toBe("invalid-credentials");
  });

  it("malformed JSON is 400 invalid-json, never 500", async () => {
    const res = await api<ApiErrorJson>("POST", "/api/auth/signup", {
      raw: '{"email": "a@b.c", "password": ',
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.messageCode).toBe("invalid-json");
  });

  it("an empty JSON body is 400 invalid-json", async () => {
    const res = await api<ApiErrorJson>("POST", "/api/auth/login", { raw: "", headers: { "Content-Type": "application/json" } });
    expect(res.status).toBe(400);
    expect(res.body.error.messageCode).toBe("invalid-json");
  });

  it("a non-JSON content type is refused with the API error shape", async () => {
    const res = await api<ApiErrorJson>("POST", "/api/auth/login", { raw: "email=a", headers: { "Content-Type": "text/plain" } });
    expect(res.status).toBe(415);
    expect(res.body.error.messageCode).toBe("invalid-request");
  });

  it("a body over 64 KB is 413 payload-too-large", async () => {
    const res = await api<ApiErrorJson>("POST", "/api/auth/signup", { json: { email: uniqueEmail(), password: "x".repeat(70_000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.messageCode).toBe("payload-too-large");
  });

  it("a streamed body over 64 KB (no Content-Length) is 413 too", async () => {
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 6) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const { workerFetch } = await import("../helpers/api");
    const res = await workerFetch("http://tradeloop.test/api/auth/login", {
      method: "POST",
      body: stream,
      headers: { "Content-Type": "application/json" },
      // @ts-expect-error: `duplex` is required by the fetch spec for streamed bodies; workers-types lacks it.
      duplex: "half",
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ApiErrorJson).error.messageCode).toBe("payload-too-large");
  });

  it("an unknown /api route is 404 not-found in the API shape", async () => {
    const res = await api<ApiErrorJson>("GET", "/api/nope");
    expect(res.status).toBe(404);
    expect(res.body.error.messageCode).toBe("not-found");
  });
});
