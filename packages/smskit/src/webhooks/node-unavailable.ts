/**
 * What `#node-fetch-server` resolves to outside Node (package.json `imports`, condition
 * `default`): the Node adapter imports `node:net`, which a Workers or browser bundle cannot
 * resolve, and the handler itself needs no adapter there.
 */
export function createRequestListener(): never {
  throw new TypeError(
    "toNodeListener needs Node (node:http); on this runtime pass the handler itself: it takes a Request and returns a Response",
  );
}
