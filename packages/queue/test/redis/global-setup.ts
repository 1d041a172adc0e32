import { redisGlobalSetup } from "../../../../tools/redis/global-setup.js";

export default redisGlobalSetup();
