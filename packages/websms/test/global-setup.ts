import { prismGlobalSetup } from "../../../tools/mock/global-setup.js";

export default prismGlobalSetup("websms");
