// Starts Swagger UI on the hub's OpenAPI document (served by hub/src/api/docs/index.ts from
// 'self': the listener's CSP runs no inline script).

/** The name the document gives its `http` `bearer` security scheme. */
function bearerSchemeOf(ui) {
  const schemes = ui.specSelectors.securityDefinitions()?.toJS() ?? {};
  return Object.keys(schemes).find(
    (name) => schemes[name].type === "http" && schemes[name].scheme === "bearer",
  );
}

const mount = document.getElementById("swagger-ui");
const ui = SwaggerUIBundle({
  url: mount.dataset.openapiUrl,
  domNode: mount,
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
  displayRequestDuration: true,
  filter: true,
  // No badge from validator.swagger.io: the hub runs offline, and its CSP allows no foreign image.
  validatorUrl: null,
  // Log in (or refresh) in the page and the access token it answers is the bearer of the next calls.
  responseInterceptor: (response) => {
    const token = response.ok ? response.body?.access_token : undefined;
    const scheme = typeof token === "string" ? bearerSchemeOf(ui) : undefined;
    if (scheme) ui.preauthorizeApiKey(scheme, token);
    return response;
  },
});
// Swagger UI's own convention: the system at hand in the console (and for the browser test).
window.ui = ui;
