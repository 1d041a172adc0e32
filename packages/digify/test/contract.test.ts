import { describeAdapterContract } from "../../../tools/contract/adapter-contract.js";
import { digify } from "../src/index.js";

const TOKEN = "tok_0123456789abcdefghij";

describeAdapterContract({
  name: "digify",
  create: ({ baseUrl, fetch, retry }) => digify({ accessToken: TOKEN, baseUrl, fetch, retry }),
  secrets: [TOKEN],
  preferAuthFailure: "code=401",
  preferThrottled: "code=429",
  // The default example answers two results (an SMS with another id, and an e-mail); the
  // simulation example answers one SMS result, which fits any single message.
  preferSuccess: "example=simulationMode",
});
