import { prismGlobalSetup } from "../../../tools/mock/global-setup.js";

export default prismGlobalSetup("digify", "websms", "f24", "smartswitch");
