/** `/api/*` on the Pages dashboard: forwarded to the Worker (see pages/forward.ts). */
import { forwardToWorker } from "../../forward";

export const onRequest = forwardToWorker;
