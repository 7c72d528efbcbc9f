// The Medusa server the connector's integration tests run against (started by
// tests/medusa_server.py). CommonJS, so no TypeScript loader is needed; the dashboard is off,
// so nothing is built. Every value comes from the environment the fixture sets.
const { defineConfig } = require("@medusajs/framework/utils");

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} must be set (tests/medusa_server.py sets it)`);
  }
  return value;
}

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: required("DATABASE_URL"),
    http: {
      storeCors: required("STORE_CORS"),
      adminCors: required("ADMIN_CORS"),
      authCors: required("AUTH_CORS"),
      jwtSecret: required("JWT_SECRET"),
      cookieSecret: required("COOKIE_SECRET"),
    },
  },
  admin: { disable: true },
});
