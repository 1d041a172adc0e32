/**
 * Bull Board (what BullMQ users already run) for the queue's BullMQ jobs, served on loopback only:
 * it can retry and remove jobs, so it must not be reachable from other machines.
 */
import type { AddressInfo } from "node:net";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import { Queue } from "bullmq";
import express from "express";
import { connect } from "./backend.js";
import type { RedisConnection } from "./types.js";

export interface DashboardOptions {
  connection: RedisConnection;
  name?: string;
  /** 0 picks a free port. */
  port: number;
}

export interface RunningDashboard {
  url: string;
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const name = options.name ?? "sms";
  const connection = connect(options.connection, true);
  connection.redis.on("error", () => {});
  const queue = new Queue(name, { connection: connection.redis });
  const adapter = new ExpressAdapter();
  adapter.setBasePath("/");
  createBullBoard({ queues: [new BullMQAdapter(queue, { readOnlyMode: false })], serverAdapter: adapter });
  const app = express();
  app.use("/", adapter.getRouter());
  const server = await new Promise<import("node:http").Server>((resolve, reject) => {
    const listening = app.listen(options.port, "127.0.0.1", (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.close();
      if (connection.owned) connection.redis.disconnect();
    },
  };
}
