// The API reference page's own script (shared/src/http/api-reference.ts serves it after
// swagger-ui-bundle.js): the page's CSP allows no inline script, so the renderer starts here.

/** What the page can send itself: a header value. Not DPoP (a fresh proof per request). */
const usableHere = (scheme) =>
  scheme.get('type') === 'apiKey' ||
  (scheme.get('type') === 'http' && ['bearer', 'basic'].includes(String(scheme.get('scheme')).toLowerCase()));

/**
 * The Authorize dialog offers only the schemes usable here. OAuth flows would call the
 * authorization server, another origin the page's CSP does not let it reach (connect-src 'self'):
 * the document's description says how to get a token instead.
 */
const usableSchemesOnly = () => ({
  statePlugins: {
    auth: {
      wrapSelectors: {
        definitionsToAuthorize:
          (original) =>
          (_state, ...args) =>
            original(...args).filter((definition) => definition.every(usableHere)),
      },
    },
  },
});

const root = document.getElementById('api-reference');
globalThis.ui = globalThis.SwaggerUIBundle({
  // The document of this service, on this origin (a path the page names in data-openapi-url).
  url: root.dataset.openapiUrl,
  domNode: root,
  // Operations and schemas only: no top bar (its logo is an inline <style> the CSP refuses).
  presets: [globalThis.SwaggerUIBundle.presets.apis],
  plugins: [usableSchemesOnly],
  layout: 'BaseLayout',
  deepLinking: true,
  // Never send the document to validator.swagger.io (the badge), nor read a URL from the query.
  validatorUrl: null,
  queryConfigEnabled: false,
});

// The description's commands scroll sideways in their boxes (they are copied as shown): each box
// joins the tab order, so a keyboard can scroll it too (WCAG 2.1.1). swagger-ui renders the
// description after the document loads, and may render it again.
// swagger-ui renders its servers <select> without a name: it gets one here (WCAG 4.1.2).
const accessibleControls = () => {
  for (const pre of root.querySelectorAll('.info .renderedMarkdown pre:not([tabindex])')) pre.tabIndex = 0;
  for (const select of root.querySelectorAll('select#servers:not([aria-label])')) {
    select.setAttribute('aria-label', 'Server');
  }
};
new MutationObserver(accessibleControls).observe(root, { childList: true, subtree: true });
