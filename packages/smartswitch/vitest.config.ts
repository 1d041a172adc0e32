import { packageVitestConfig } from "../../tools/testing/vitest.js";

export default packageVitestConfig({ mocks: true });
