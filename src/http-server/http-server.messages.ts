/** Texts of the HTTP server metrics, as small functions taking the names they mention. */
export const HTTP_SERVER_MESSAGES = {
  unsupportedAdapter: (type: string) =>
    `HTTP server metrics (DYN_METRICS_HTTP_SERVER, option httpServer) support the express and fastify adapters; this application's is ${JSON.stringify(type)}, so its requests are not measured.`,
  expressRouterNotFound: () =>
    `HTTP server metrics (DYN_METRICS_HTTP_SERVER, option httpServer): this Express application keeps no router where Express 4 and 5 do (app._router, app.router), so its requests are not measured.`,
} as const;
