/** The shared SmsProvider contract, against the SmartSwitch mock. */
import { describeAdapterContract } from "../../../tools/contract/adapter-contract.js";
import { smartSwitch } from "../src/index.js";

const LOGIN = "acme-login";
const PASSWORD = "s3cret-password";

describeAdapterContract({
  name: "smartswitch",
  create: ({ baseUrl, fetch, retry }) =>
    smartSwitch({ login: LOGIN, password: PASSWORD, baseUrl, fetch, retry }),
  secrets: [LOGIN, PASSWORD],
  preferAuthFailure: "code=401",
});
