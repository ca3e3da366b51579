export { buildServer, REDACTED_HEADERS, type BuildServerOptions } from "./app.js";
