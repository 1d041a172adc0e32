export { redactRedisUrl, resetMemoryQueue } from "./backend.js";
export { clientRefOf, jobIdFor } from "./job-id.js";
export { createSmsQueue, QueueUnavailableError } from "./queue.js";
export type {
  DeliveryReportLike,
  DeliveryStatus,
  DigifyReconcileConfig,
  EnqueueOutcome,
  EnqueueResult,
  ProviderLimit,
  QueuedSmsInput,
  ReconcileOptions,
  ReconcileResult,
  RedisConnection,
  SmsCounts,
  SmsOutcome,
  SmsQueue,
  SmsQueueOptions,
  SmsState,
  SmsWorker,
  SmsWorkerOptions,
  WorkerEvent,
} from "./types.js";
export { SMS_STATES } from "./types.js";
export { createSmsWorker } from "./worker.js";
