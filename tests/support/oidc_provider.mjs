// A real OpenID provider for the tests: node's oidc-provider (a certified implementation) on a
// loopback port, with signing keys it generates, a few test users and PKCE required.
//
//   node tests/support/oidc_provider.mjs CONFIG.json
//
// CONFIG: {"port", "clients": [{client_id, client_secret, redirect_uris}], "accounts":
// {sub: {email, email_verified, name}}, "jwks_out": "path"}. It writes its private signing keys
// (JWKS) to jwks_out, so that a test can sign a token with the provider's own key, and prints
// "READY <issuer>" once it listens. Test-only routes, under /_test: POST /_test/accounts/<sub>
// with a JSON body adds or replaces a user; DELETE /_test/accounts/<sub> removes one (the
// account is gone: its refresh tokens are refused with invalid_grant).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

let Provider;
try {
  ({ default: Provider } = await import('oidc-provider'));
} catch (error) {
  console.error(
    'The npm package oidc-provider is missing: run `npm ci` (or `make test`, which does) ' +
      `in the repository first. (${error.message})`,
  );
  process.exit(3);
}

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = new Map(Object.entries(config.accounts || {}));

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

const jwks = { keys: [signingKey()] };
writeFileSync(config.jwks_out, JSON.stringify(jwks));

const issuer = `http://127.0.0.1:${config.port}`;
const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  jwks,
  pkce: { required: () => true },
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  scopes: ['openid', 'offline_access', 'email', 'profile'],
  cookies: { keys: [randomBytes(16).toString('hex')] },
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60, RefreshToken: 86400 },
  async findAccount(_ctx, sub) {
    const person = accounts.get(sub);
    if (!person) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...person }) };
  },
});

async function readJson(ctx) {
  let body = '';
  for await (const chunk of ctx.req) body += chunk;
  return body ? JSON.parse(body) : {};
}

provider.use(async (ctx, next) => {
  const match = /^\/_test\/accounts\/([^/]+)$/.exec(ctx.path);
  if (!match) return next();
  const sub = decodeURIComponent(match[1]);
  if (ctx.method === 'POST') accounts.set(sub, await readJson(ctx));
  else if (ctx.method === 'DELETE') accounts.delete(sub);
  else ctx.throw(405);
  ctx.status = 204;
  return undefined;
});

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});
