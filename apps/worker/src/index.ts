export { startWorker, handlers, type WorkerOptions, type RunningWorker } from "./worker.js";
