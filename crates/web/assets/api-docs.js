/*
 * The API documentation page (/api/docs): Swagger UI, vendored, on our own OpenAPI document.
 * No validator (it would call an outside service) and no external links are followed.
 */
(function () {
  'use strict';
  window.addEventListener('DOMContentLoaded', function () {
    window.SwaggerUIBundle({
      url: '/api/v1/openapi.json',
      dom_id: '#swagger',
      validatorUrl: null,
      deepLinking: false,
      tryItOutEnabled: true
    });
  });
}());
