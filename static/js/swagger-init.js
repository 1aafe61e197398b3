// Starts Swagger UI on /q/swagger-ui (an external script: the page's policy allows no inline
// one) with this app's own OpenAPI document, whose URL the server rendered, root path included.
(function () {
  var node = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: node.getAttribute("data-url"),
    domNode: node,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
