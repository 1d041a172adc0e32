#!/usr/bin/env node
// A committed entry point, so package managers can link the `smskit` bin before dist/ is built
// (in this monorepo `pnpm install` runs before the first build).
import "../dist/cli.js";
