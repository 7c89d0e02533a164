// AWS's own verifier (npm aws-jwt-verify) as a judge for the CLI's
// differential test, crates/cli/tests/cli/verify_differential.rs.
//
// stdin: {"redirect": {"<issuer's JWKS URL>": "<loopback URL>"},
//         "cases": [{"name", "token", "mode": "cognito" | "issuer",
//                    "userPoolId", "issuer", "clientId", "tokenUse", "graceSeconds"}]}
// stdout: [{"name", "valid": true|false, "error": "<class>: <message>"}]
//
// mode "cognito": CognitoJwtVerifier for userPoolId (its issuer
//   https://cognito-idp.<region>.amazonaws.com/<pool> and its JWKS URL).
// mode "issuer": JwtVerifier for a loopback `issuer` (keys from
//   <issuer>/.well-known/jwks.json) plus the Cognito claim checks
//   (validateCognitoJwtFields), i.e. CognitoJwtVerifier for another issuer.
//
// Only the transport is replaced: the package's HTTPS fetcher cannot speak
// plain HTTP to loopback, so the fetcher below GETs the loopback URL that
// stands in for the issuer's. Everything else (JWKS parsing, key choice,
// signature, claims) is aws-jwt-verify's own code. A fresh verifier (and
// JWKS cache) per case keeps the cases independent.

import { CognitoJwtVerifier, JwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";

const input = JSON.parse(await new Promise((resolve, reject) => {
  let data = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => { data += chunk; });
  process.stdin.on("end", () => resolve(data));
  process.stdin.on("error", reject);
}));

const loopback = /^http:\/\/127\.0\.0\.1:\d+\//;
const fetcher = {
  async fetch(uri) {
    const target = input.redirect[uri] ?? (loopback.test(uri) ? uri : undefined);
    if (!target) {
      throw new Error(`the test does not fetch ${uri}`);
    }
    const response = await globalThis.fetch(target);
    if (response.status !== 200) {
      throw new Error(`${target}: HTTP ${response.status}`);
    }
    return response.arrayBuffer();
  },
};

function verifier(c) {
  const jwksCache = new SimpleJwksCache({ fetcher });
  const checks = { clientId: c.clientId, tokenUse: c.tokenUse };
  if (c.mode === "cognito") {
    return CognitoJwtVerifier.create(
      { userPoolId: c.userPoolId, ...checks, graceSeconds: c.graceSeconds },
      { jwksCache },
    );
  }
  return JwtVerifier.create(
    {
      issuer: c.issuer,
      audience: null,
      graceSeconds: c.graceSeconds,
      customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, checks),
    },
    { jwksCache },
  );
}

const results = [];
for (const c of input.cases) {
  try {
    await verifier(c).verify(c.token);
    results.push({ name: c.name, valid: true, error: null });
  } catch (err) {
    results.push({ name: c.name, valid: false, error: `${err?.name}: ${err?.message}` });
  }
}
process.stdout.write(JSON.stringify(results));
