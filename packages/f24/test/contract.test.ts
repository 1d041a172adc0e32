/** The shared SmsProvider contract, against the F24 mock. */
import { describeAdapterContract } from "../../../tools/contract/adapter-contract.js";
import { f24 } from "../src/index.js";

const ACCESS_KEY = "f24-key-0123456789";
const ACCESS_TOKEN = "f24-token-abcdefghijklmnop";

describeAdapterContract({
  name: "f24",
  // F24 has no account default sender, so the adapter gets one, as a real deployment must.
  create: ({ baseUrl, fetch, retry }) =>
    f24({ accessKey: ACCESS_KEY, accessToken: ACCESS_TOKEN, baseUrl, fetch, retry, defaultFrom: "smskit" }),
  secrets: [ACCESS_KEY, ACCESS_TOKEN],
  preferAuthFailure: "code=401",
});
