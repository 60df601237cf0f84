/**
 * The standalone Cloudflare Pages dashboard's only server code: forwards
 * `/api/*` and `/webhook/*` to the Tradeloop Worker over a service binding
 * (`API`), unchanged (method, headers with the session cookie and Origin,
 * body, and the URL with the Pages host). The browser therefore talks to one
 * origin, so the session cookie stays SameSite=Strict, the Worker's
 * same-origin check sees the page's own origin, and no CORS is opened to
 * anyone. Webhook URLs the Worker builds from the request point at this
 * host, so they are forwarded too.
 *
 * @module
 */

/** What the Pages project binds (pages/wrangler.toml). */
export interface PagesEnv {
  /** Service binding to the Tradeloop Worker. */
  API: Fetcher;
}

/** A Pages Function handler: forwards the request to the Worker. */
export const forwardToWorker: PagesFunction<PagesEnv> = async ({ request, env }) => {
  if (!env.API) {
    return Response.json(
      { error: { messageCode: "temporarily-unavailable", message: "This dashboard is not connected to its Tradeloop Worker: bind the Worker as API (pages/wrangler.toml)." } },
      { status: 503 },
    );
  }
  // A service binding is an in-account call: nothing leaves Cloudflare, and the Request passes as is.
  return env.API.fetch(request);
};
