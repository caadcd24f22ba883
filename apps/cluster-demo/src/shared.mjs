/** What the demo's processes share. A demo secret: never use a fixed secret in production. */
export const SECRET = 'hb cluster demo secret, not for production'
