// The proxy's end-to-end test's handler: says it was reached and what
// authorizer context serverless-offline handed it.
"use strict";

exports.reached = async (event) => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    reached: true,
    path: event.path || event.rawPath,
    authorizer: (event.requestContext && event.requestContext.authorizer) || null,
  }),
});
