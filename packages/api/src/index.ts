export { appRouter, createCaller, type AppRouter } from "./root.js";
export { createDataCaller, dataRouter } from "./routers/data.js";
export { IMPORT_FORMATS, type ImportFormat, type ImportResult, type ByteSource } from "./services/imports.js";
export { EXPORT_FORMATS, type ExportFormat, type ExportStream } from "./services/exports.js";
export { createContext, type Context, type CreateContextOptions, type RequestInfo } from "./context.js";
export { SESSION_COOKIE, parseCookieHeader, serializeCookie, MemoryCookieJar, type CookieJar, type CookieOptions } from "./auth/cookies.js";
export { DomainError, type DomainCode } from "./errors.js";
export { openOrm, migrate, isReady, type Orm } from "./db/orm.js";
export { ormConfig } from "./db/config.js";
export * from "./db/entities.js";
export { loadConfig, ConfigurationError, type LatticeConfig } from "./config.js";
export { assertDatabaseReachable, redactDatabaseUrl } from "./db/reachable.js";
export {
  queues,
  createQueueClient,
  startQueues,
  enqueue,
  enqueueInTransaction,
  queueClientFor,
  closeQueueClients,
  sweepDeadAttempts,
  JOB_SCHEMA,
  PgBoss,
  type QueueName,
  type JobPayload,
  type AttemptOutcome,
  type JobStep,
  type JobStatus,
} from "./jobs/index.js";
export { runDuplication, DUPLICATE_MODES, DUPLICATE_SEND_OPTIONS, type DuplicateMode } from "./services/duplication.js";
export {
  handleScim,
  scimErrorBody,
  organizationForScimToken,
  reconcile,
  runLdapSync,
  queueScimReconcile,
  queueDueLdapSyncs,
  readLdap,
  encryptSecret,
  LDAP_DEFAULTS,
  type ScimResponse,
  type ScimRequest,
} from "./services/directory/index.js";
