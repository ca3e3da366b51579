export { appRouter, createCaller, type AppRouter } from "./root.js";
export { createContext, type Context, type CreateContextOptions, type RequestInfo, type Authenticate } from "./context.js";
export { DomainError, type DomainCode } from "./errors.js";
export { openOrm, migrate, isReady, type Orm } from "./db/orm.js";
export { ormConfig } from "./db/config.js";
export * from "./db/entities.js";
export { loadConfig, ConfigurationError, type LatticeConfig } from "./config.js";
export { assertDatabaseReachable, redactDatabaseUrl } from "./db/reachable.js";
export { queues, createQueueClient, startQueues, enqueue, JOB_SCHEMA, PgBoss, type QueueName, type JobPayload } from "./jobs/index.js";
