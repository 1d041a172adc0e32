/** The shared SmsProvider contract, against the websms mock, with both ways to log in. */
import { describe } from "vitest";
import { describeAdapterContract } from "../../../tools/contract/adapter-contract.js";
import { websms } from "../src/index.js";

const TOKEN = "wsTok-adapter-0123456789abcdef";
const USERNAME = "smskit-adapter";
// No colon: Prism refuses a Basic password with one, although RFC 7617 allows it.
const PASSWORD = "adapter s3cret";

describe("with an access token (Bearer)", () => {
  describeAdapterContract({
    name: "websms",
    create: ({ baseUrl, fetch, retry }) => websms({ accessToken: TOKEN, baseUrl, fetch, retry }),
    secrets: [TOKEN],
    preferAuthFailure: "code=401",
    preferThrottled: "example=throttled",
  });
});

describe("with username and password (HTTP Basic)", () => {
  describeAdapterContract({
    name: "websms",
    create: ({ baseUrl, fetch, retry }) =>
      websms({ username: USERNAME, password: PASSWORD, baseUrl, fetch, retry }),
    secrets: [PASSWORD, Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64")],
    preferAuthFailure: "code=401",
    preferThrottled: "example=tooManyRecipients",
  });
});
